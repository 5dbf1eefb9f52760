// The citizen app: one page, one screen at a time. /citizen#report, #tip, #tickets,
// #station, #data, and the station services #lostdoc, #homewatch, #consult pick a screen;
// /citizen/t/{code} is a ticket's status page, or a service request's (L-, H-, C- codes);
// /citizen/poll/{code} a People Poll to answer (/citizen/poll?station=CODE lists them).
import { loadCatalog, renderConsent } from './catalog.js';
import { $, toast } from '/pwa/static/js/dom.js';
import { currentLang, loadLang, onLangChange, t } from '/pwa/static/js/i18n.js';
import { initConsult, redrawConsult, showConsult } from './consult.js';
import { initEmergency } from './emergency.js';
import { initHomewatch, redrawHomewatch, showHomewatch } from './homewatch.js';
import { initLostdoc, redrawLostdoc, showLostdoc } from './lostdoc.js';
import { isPollPath, redrawPoll, showPoll } from './poll.js';
import { initReport, renderCategories, showReport } from './report.js';
import { closeServiceItem, initServiceItem, isServiceCode, openServiceItem, rerenderServiceItem } from './service-item.js';
import { initStation, redrawStation, showStation } from './station.js';
import { closeTicket, initTicket, openTicket, rerenderTicket } from './ticket.js';
import { initTickets, renderDataPicker, renderTickets } from './tickets.js';
import { initTip, renderTipCategories, showTip } from './tip.js';

const SCREENS = ['home', 'report', 'tip', 'tickets', 'station', 'ticket', 'data', 'lostdoc', 'homewatch', 'consult', 'service', 'poll'];
const ITEMS = new Set(['ticket', 'service', 'poll']); // reached by a code in the path, never by #
let dataFor = null;

function where() {
  if (isPollPath()) return { screen: 'poll' };
  const match = location.pathname.match(/^\/citizen\/t\/([^/]+)$/);
  if (match) {
    const code = decodeURIComponent(match[1]).toUpperCase();
    return { screen: isServiceCode(code) ? 'service' : 'ticket', code };
  }
  const hash = location.hash.slice(1);
  return { screen: SCREENS.includes(hash) && !ITEMS.has(hash) ? hash : 'home' };
}

function show() {
  const { screen, code } = where();
  for (const name of SCREENS) $(`#screen-${name}`).hidden = name !== screen;
  document.body.dataset.screen = screen;
  document.querySelectorAll('.tabs .tab').forEach((tab) => {
    if (tab.dataset.go === screen) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  });
  if (screen !== 'ticket') closeTicket();
  if (screen !== 'service') closeServiceItem();
  if (screen === 'ticket') openTicket(code);
  else if (screen === 'service') openServiceItem(code);
  else if (screen === 'poll') showPoll();
  else if (screen === 'lostdoc') showLostdoc();
  else if (screen === 'homewatch') showHomewatch();
  else if (screen === 'consult') showConsult();
  else if (screen === 'report') showReport();
  else if (screen === 'tip') showTip();
  else if (screen === 'tickets') renderTickets();
  else if (screen === 'station') showStation();
  else if (screen === 'data') renderDataPicker(dataFor);
  window.scrollTo(0, 0);
}

export function navigate(path, { merged = false } = {}) {
  history.pushState(null, '', path);
  show();
  if (merged) toast(t('sos.merged'), 'ok');
}

function links(event) {
  const link = event.target.closest('[data-go]');
  if (!link || event.defaultPrevented || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  const go = link.dataset.go;
  if (link.dataset.code) dataFor = link.dataset.code;
  // The query (?station=CODE from LINE) stays while the person moves between screens.
  const path = go.startsWith('t/') ? `/citizen/${go}` : `/citizen${location.search}${go === 'home' ? '' : `#${go}`}`;
  navigate(path);
}

function network() {
  $('#offline').hidden = navigator.onLine;
}

function installable() {
  let prompt = null;
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault();
    prompt = e;
    $('#install').hidden = false;
  });
  $('#install').addEventListener('click', async () => {
    if (!prompt) return;
    prompt.prompt();
    await prompt.userChoice;
    prompt = null;
    $('#install').hidden = true;
  });
}

async function main() {
  const catalogLoad = loadCatalog().catch(() => null);
  await loadLang();
  initEmergency(navigate);
  initReport(navigate);
  initTip(navigate);
  initTickets();
  initStation();
  initTicket();
  initLostdoc(navigate);
  initHomewatch(navigate);
  initConsult(navigate);
  initServiceItem();
  renderConsent();
  document.addEventListener('click', links);
  window.addEventListener('popstate', show);
  window.addEventListener('online', network);
  window.addEventListener('offline', network);
  $('#lang-switch').addEventListener('click', () => loadLang(currentLang() === 'th' ? 'en' : 'th'));
  onLangChange(() => {
    renderConsent();
    renderCategories();
    renderTipCategories();
    redrawStation();
    rerenderTicket();
    rerenderServiceItem();
    redrawLostdoc();
    redrawHomewatch();
    redrawConsult();
    redrawPoll();
    if (where().screen === 'tickets') renderTickets();
  });
  installable();
  network();
  show();
  catalogLoad.then((found) => {
    if (!found) return;
    renderConsent();
    renderCategories();
    renderTipCategories();
  });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/citizen/sw.js', { scope: '/citizen' }).catch(() => {});
  }
  document.body.dataset.ready = 'true';
}

main();
