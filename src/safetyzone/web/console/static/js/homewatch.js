// Home watch (ฝากบ้าน 4.0) on the console's Patrol view: the chosen station's requests
// waiting for a decision (address, pin, dates, contacts, the owner's notes) with approve and
// decline (the reason the owner reads), and the houses watched now with their visits. Only
// for users who may manage them (homewatch.manage: the requests hold personal data). Kept
// current by the feed ("homewatch": a request made, decided, visited or closed).
import { formatDateTime, t } from './i18n.js';
import { api } from './session.js';
import { can, store } from './store.js';
import { el, toast } from './ui.js';

const PATH = '/api/v1/home-watch';
let requests = [];
let visible = false;
let reload = null;

export const homeWatchProbe = { requests: () => requests }; // for the browser tests

export async function loadHomeWatch() {
  if (!can('homewatch.manage') || !store.station) return;
  const station = encodeURIComponent(store.station);
  const [pending, approved] = await Promise.all([
    api(`${PATH}?station_code=${station}&state=pending&limit=200`),
    api(`${PATH}?station_code=${station}&state=approved&limit=200`),
  ]);
  requests = [...pending, ...approved];
  renderHomeWatch();
}

export function onHomeWatchEntry() {
  clearTimeout(reload);
  reload = setTimeout(() => loadHomeWatch().catch(() => {}), 300);
}

async function decide(id, action, json) {
  try {
    await api(`${PATH}/${encodeURIComponent(id)}/${action}`, { method: 'POST', json });
    toast(t(`homewatch.${action}d`), 'ok');
  } catch (err) {
    toast(err.message || t('homewatch.failed'), 'error');
  }
  await loadHomeWatch().catch(() => {});
}

function contacts(request) {
  return request.contacts.map((c) => `${c.name}${c.relation ? ` (${c.relation})` : ''} ${c.phone}`).join(', ');
}

function actions(request) {
  if (request.state !== 'pending') return el('span', { class: 'badge homewatch-state approved' }, t('homewatch.state.approved'));
  const reason = el('input', { type: 'text', maxlength: 500, placeholder: t('homewatch.reason'), 'aria-label': t('homewatch.reason'), class: 'homewatch-reason' });
  const approve = el('button', { type: 'button', class: 'btn small primary', 'data-approve': request.id }, t('homewatch.approve'));
  const decline = el('button', { type: 'button', class: 'btn small', 'data-decline': request.id }, t('homewatch.decline'));
  approve.addEventListener('click', () => decide(request.id, 'approve'));
  decline.addEventListener('click', () => {
    const why = reason.value.trim();
    if (why.length < 3) { toast(t('homewatch.reason_needed'), 'error'); reason.focus(); return; }
    decide(request.id, 'decline', { reason: why });
  });
  return el('div', { class: 'row homewatch-actions' }, reason, decline, approve);
}

function row(request) {
  return el('tr', { 'data-code': request.code, 'data-state': request.state },
    el('th', {}, request.code),
    el('td', {}, request.address || '–', request.notes ? el('div', { class: 'muted' }, request.notes) : null),
    el('td', {}, `${formatDateTime(request.away_from)} – ${formatDateTime(request.away_until)}`),
    el('td', {}, contacts(request)),
    el('td', {}, actions(request)));
}

export function renderHomeWatch() {
  const root = document.getElementById('homewatch-body');
  if (!root) return;
  root.hidden = !can('homewatch.manage');
  if (!visible || root.hidden) return;
  const mine = requests.filter((r) => r.station_code === store.station);
  root.replaceChildren(el('section', { class: 'card homewatch' }, el('h3', { text: t('homewatch.title') }),
    mine.length ? el('table', { class: 'grid homewatch-requests' },
      el('thead', {}, el('tr', {}, ...['code', 'address', 'dates', 'contacts', 'decision'].map((k) => el('th', {}, t(`homewatch.col.${k}`))))),
      el('tbody', {}, mine.map(row)))
      : el('p', { class: 'muted' }, t('homewatch.none'))));
}

export function setHomeWatchVisible(on) {
  visible = on;
  if (on) loadHomeWatch().catch(() => {});
}

export function bindHomeWatch() {
  // After the console's own handler has taken the new station (it may run after this one).
  document.getElementById('station-select').addEventListener('change', () => setTimeout(() => {
    if (visible) loadHomeWatch().catch(() => {});
  }, 0));
}
