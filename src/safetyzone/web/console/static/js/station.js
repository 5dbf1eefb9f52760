// The station panel: open incidents, today's counts by type, response times, units on
// duty, cameras online by owner class, today's checkpoint figures.
import { formatDateTime, formatDuration, onLangChange, t, tOr } from './i18n.js';
import { api } from './session.js';
import { refreshShiftBadge } from './shift.js';
import { store } from './store.js';
import { el } from './ui.js';

let visible = false;
let timer = null;
let pending = null;
let last = null; // the panel last drawn, redrawn at once in a new language

function card(titleKey, ...children) {
  return el('section', { class: 'card' }, el('h3', { text: t(titleKey) }), ...children);
}

function big(value, labelKey, cls = '') {
  return el('div', { class: `figure ${cls}` }, el('b', {}, String(value)), el('span', {}, t(labelKey)));
}

// Today's checkpoints (patrol): sessions, vehicles and persons checked, arrests.
function checkpointsCard(totals) {
  return card('station.checkpoints', el('div', { class: 'figures' },
    big(totals.sessions, 'station.cp_sessions'), big(totals.vehicles_checked, 'patrol.cp.vehicles'),
    big(totals.persons_checked, 'patrol.cp.persons'), big(totals.arrests, 'patrol.cp.arrests')));
}

function render(panel, totals) {
  last = [panel, totals];
  const ops = panel.ops;
  const times = ops.response_times_today.by_receive_time;
  const owners = Object.entries(panel.cameras_by_owner_class);
  const root = document.getElementById('station-body');
  root.replaceChildren(
    card('station.open',
      el('div', { class: 'figures' }, big(ops.open_incidents, 'station.open_now', 'open-count'),
        big(ops.escalated_open, 'station.escalated', ops.escalated_open ? 'alert' : '')),
      el('ul', { class: 'plain' }, Object.entries(ops.open_by_priority).map(([p, n]) => el('li', {}, `P${p}: ${n}`)))),
    card('station.today',
      el('p', { class: 'muted' }, t('station.since', { at: formatDateTime(ops.today_since) })),
      Object.keys(ops.today_by_kind).length
        ? el('table', { class: 'grid today' }, el('tbody', {}, Object.entries(ops.today_by_kind).map(([kind, n]) => el('tr', {},
          el('th', {}, tOr(`incident_kind.${kind}`, kind)), el('td', {}, String(n))))))
        : el('p', { class: 'muted' }, t('station.none_today'))),
    card('station.response',
      el('table', { class: 'grid' },
        el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'p50'), el('th', {}, 'p90'), el('th', {}, t('station.count')))),
        el('tbody', {}, ['acknowledge', 'dispatch', 'arrive', 'clear'].map((m) => el('tr', {},
          el('th', {}, t(`milestone.${m}`)), el('td', {}, formatDuration(times[m].p50_s)),
          el('td', {}, formatDuration(times[m].p90_s)), el('td', {}, String(times[m].count))))))),
    card('station.units',
      el('div', { class: 'figures' }, big(ops.units_on_duty, 'station.on_duty')),
      el('ul', { class: 'plain' }, Object.entries(ops.units_by_status).map(([s, n]) => el('li', {}, `${t(`unit_status.${s}`)}: ${n}`)))),
    card('station.cameras',
      el('table', { class: 'grid cams' },
        el('thead', {}, el('tr', {}, el('th', {}, ''), ...['total', 'online', 'offline', 'frozen', 'unknown'].map((k) => el('th', {}, t(`camstat.${k}`))))),
        el('tbody', {}, owners.filter(([, c]) => c.total > 0).map(([owner, c]) => el('tr', { 'data-owner': owner },
          el('th', {}, t(`owner.${owner}`)), el('td', {}, String(c.total)), el('td', { class: 'ok' }, String(c.online)),
          el('td', { class: c.offline ? 'bad' : '' }, String(c.offline)), el('td', { class: c.frozen ? 'warn' : '' }, String(c.frozen)),
          el('td', { class: 'muted' }, String(c.unknown))))))),
    ...(totals ? [checkpointsCard(totals)] : []));
  document.getElementById('station-name').textContent = t('station.heading', { code: panel.station_code })
    + ' ' + (document.documentElement.lang === 'en' ? panel.name_en : panel.name_th);
}

export async function refreshStation() {
  if (!visible || !store.station) return;
  if (pending) return;
  const code = encodeURIComponent(store.station);
  pending = Promise.all([api(`/api/v1/stations/${code}/panel`),
    api(`/api/v1/patrol/checkpoints/totals?station_code=${code}`).catch(() => null)])
    .then(([panel, totals]) => render(panel, totals)).finally(() => { pending = null; });
  refreshShiftBadge(); // handovers waiting show on the panel's shift button
  await pending;
}

// A new language redraws what is on screen now (its dates and words), not after the next
// refresh: a panel drawn in Thai never lingers in English.
onLangChange(() => { if (last) render(...last); });

let soon = null;
export function stationChanged() {
  clearTimeout(soon);
  soon = setTimeout(refreshStation, 500);
}

export function setStationVisible(on) {
  visible = on;
  clearInterval(timer);
  if (on) {
    refreshStation();
    timer = setInterval(refreshStation, 15000);
  }
}
