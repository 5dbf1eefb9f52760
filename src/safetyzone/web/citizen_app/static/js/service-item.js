// A station service's request page, at /citizen/t/{code} like a ticket: L- a lost-document
// report, H- a home-watch request, C- a consultation. It asks the API with the caller key
// this phone kept, every 5 s after a change and slower while nothing changes (a visit, an
// issued certificate, a station's notice show up by themselves), and stops once the request
// is over. The last view is kept on the phone, so the page still says something offline.
import { call, errorText } from './api.js';
import { consultView } from './consult.js';
import { $, el } from '/pwa/static/js/dom.js';
import { formatDateTime, t } from '/pwa/static/js/i18n.js';
import { homewatchView } from './homewatch.js';
import { lostdocView } from './lostdoc.js';
import { recall, remember, saveTicket, ticket } from './store.js';

const VIEWS = { L: ['lostdoc', lostdocView], H: ['homewatch', homewatchView], C: ['consult', consultView] };
const FIRST_MS = 5000;
const LONGEST_MS = 60000;
let code = null;
let timer = null;
let delay = FIRST_MS;
let seen = null;

export function isServiceCode(text) { return /^[LHC]-/.test(text || ''); }

function view() { return VIEWS[code[0]]; }

function render(data, keptAt = null) {
  const [kind, shown] = view();
  const own = ticket(code);
  $('#service-kind').textContent = t(`kind.${kind}`);
  $('#service-view').replaceChildren(...shown.render(data, own, pollNow).filter(Boolean));
  $('#service-fresh').textContent = keptAt ? t('ticket.offline', { time: formatDateTime(keptAt) })
    : t('ticket.updated', { time: formatDateTime(new Date()) });
  if (own) saveTicket({ code: data.code, status: data.status || data.state });
}

async function poll() {
  clearTimeout(timer);
  if (!code || document.hidden) return;
  const asked = code;
  const [, shown] = view();
  if (!ticket(asked)) { // only the phone that sent it holds its key: the API shows nothing else
    $('#service-view').replaceChildren(el('p', { class: 'error' }, t('service.notfound')));
    $('#service-fresh').textContent = '';
    return;
  }
  try {
    const data = await call(shown.path(asked), { key: ticket(asked)?.key, timeout: 15000 });
    if (asked !== code) return;
    const stamp = JSON.stringify(data);
    delay = stamp === seen ? Math.min(delay * 1.5, LONGEST_MS) : FIRST_MS;
    if (stamp !== seen) render(data);
    else $('#service-fresh').textContent = t('ticket.updated', { time: formatDateTime(new Date()) });
    seen = stamp;
    remember(`view.${asked}`, { data, at: new Date().toISOString() });
    if (shown.final(data)) return; // nothing more will change
  } catch (err) {
    if (asked !== code) return;
    if (err.status === 404) { // an unknown code, or not this phone's: the API says the same
      $('#service-view').replaceChildren(el('p', { class: 'error' }, t('service.notfound')));
      $('#service-fresh').textContent = '';
      return;
    }
    const kept = recall(`view.${asked}`);
    if (kept) render(kept.data, kept.at);
    else $('#service-fresh').textContent = errorText(err);
    delay = Math.min(delay * 1.5, LONGEST_MS);
  }
  timer = setTimeout(poll, delay);
}

export function pollNow() { delay = FIRST_MS; seen = null; poll(); }

export function openServiceItem(wanted) {
  closeServiceItem();
  code = wanted;
  $('#service-code').textContent = wanted;
  const kept = recall(`view.${wanted}`);
  if (kept) render(kept.data);
  else $('#service-view').replaceChildren();
  pollNow();
}

export function closeServiceItem() {
  clearTimeout(timer);
  code = null;
  seen = null;
}

export function rerenderServiceItem() {
  const kept = code && recall(`view.${code}`);
  if (kept) render(kept.data);
}

export function initServiceItem() {
  document.addEventListener('visibilitychange', () => { if (!document.hidden && code) pollNow(); });
}
