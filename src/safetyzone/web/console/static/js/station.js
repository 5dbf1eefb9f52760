// The station panel: open incidents, today's counts by type, response times, units on
// duty, cameras online by owner class and their health (camhealth.js), today's checkpoint
// figures, work orders to partners, footage requests to camera owners (footage.js), and the
// last 30 days' KPIs against their targets (kpis.js).
import { formatAge, formatDateTime, formatDuration, onLangChange, pick, t, tOr } from './i18n.js';
import { loadAnnouncements, rerenderAnnouncements } from './announce.js';
import { cameraHealthCard, redrawCameraHealth, refreshCameraHealth } from './camhealth.js';
import { refreshFootage } from './footage.js';
import { loadPolls } from './poll.js';
import { refreshKpis } from './kpis.js';
import { reportsCard } from './reports.js';
import { api } from './session.js';
import { refreshShiftBadge } from './shift.js';
import { can, on, seesSeveralStations, store } from './store.js';
import { el } from './ui.js';
import { refreshWorkorders, workorderLoadsCard } from './workorders.js';
import { refreshZoneSelection } from './zoneselect.js';

let visible = false;
let timer = null;
let pending = null;
let last = null; // the panel last drawn, redrawn at once in a new language
let lastRollup = null;

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

// Region and HQ: every station on one line, the busiest first; a click chooses it.
function rollupCard(rows) {
  const sorted = [...rows].sort((a, b) => (b.ops.escalated_open - a.ops.escalated_open)
    || (b.ops.open_incidents - a.ops.open_incidents) || a.station_code.localeCompare(b.station_code));
  const heads = ['rollup.station', 'rollup.open', 'rollup.p1', 'rollup.escalated', 'rollup.oldest',
    'rollup.on_duty', 'rollup.available', 'rollup.out', 'rollup.cameras', 'rollup.cam_down'];
  return el('section', { class: 'card rollup' }, el('h3', { text: t('rollup.title', { n: rows.length }) }),
    el('div', { class: 'rollup-scroll' }, el('table', { class: 'grid rollup-table' },
      el('thead', {}, el('tr', {}, heads.map((k) => el('th', {}, t(k))))),
      el('tbody', {}, sorted.map((r) => el('tr', {
        'data-station': r.station_code, class: r.station_code === store.station ? 'chosen' : '',
      },
      el('th', {}, el('button', { type: 'button', class: 'btn link', 'data-choose': r.station_code },
        `${r.station_code} · ${pick(r, 'name')}`)),
      el('td', { class: r.ops.open_incidents ? 'open-count' : 'muted' }, String(r.ops.open_incidents)),
      el('td', { class: r.ops.open_p1 ? 'bad' : '' }, String(r.ops.open_p1)),
      el('td', { class: r.ops.escalated_open ? 'bad' : '' }, String(r.ops.escalated_open)),
      el('td', {}, r.ops.oldest_open_at ? formatAge(r.ops.oldest_open_at) : '–'),
      el('td', {}, String(r.ops.units_on_duty)),
      el('td', {}, String(r.ops.units_available)),
      el('td', { class: r.ops.units_out_of_service ? 'warn' : '' }, String(r.ops.units_out_of_service)),
      el('td', {}, `${r.cameras.online}/${r.cameras.total}`),
      el('td', { class: r.cameras.offline + r.cameras.frozen ? 'bad' : '' }, String(r.cameras.offline + r.cameras.frozen))))))));
}

function renderRollup(rows) {
  lastRollup = rows;
  const root = document.getElementById('station-rollup');
  root.replaceChildren(rows ? rollupCard(rows) : '');
  root.hidden = !rows;
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
    cameraHealthCard(),
    ...(totals ? [checkpointsCard(totals)] : []),
    workorderLoadsCard(ops.workorders_by_partner || []),
    ...(can('ops.read') ? [reportsCard({ kind: 'station', code: panel.station_code, unit: panel.station_code })] : []));
  redrawCameraHealth(panel.station_code); // the last figures now; fresh ones follow
  document.getElementById('station-name').textContent = t('station.heading', { code: panel.station_code })
    + ' ' + (document.documentElement.lang === 'en' ? panel.name_en : panel.name_th);
}

export async function refreshStation() {
  if (!visible || pending) return;
  const code = store.station ? encodeURIComponent(store.station) : null;
  pending = Promise.all([
    code ? api(`/api/v1/stations/${code}/panel`) : null,
    code ? api(`/api/v1/patrol/checkpoints/totals?station_code=${code}`).catch(() => null) : null,
    seesSeveralStations() ? api('/api/v1/stations-rollup') : null,
    refreshWorkorders(store.station).catch(() => null),
    refreshFootage(store.station).catch(() => null), // footage requests to camera owners
    refreshZoneSelection(store.station).catch(() => null), // read again only on a new station
  ]).then(([panel, totals, rows]) => {
    renderRollup(rows);
    document.getElementById('station-body').hidden = !panel;
    loadAnnouncements(panel ? store.station : null).catch(() => {});
    loadPolls(panel ? store.station : null).catch(() => {});
    refreshKpis(panel ? store.station : null).catch(() => {});
    if (panel) {
      render(panel, totals);
      refreshCameraHealth(store.station).catch(() => {});
    }
    else {
      last = null;
      document.getElementById('station-name').textContent = t('station.all', { n: rows?.length || 0 });
    }
  }).finally(() => { pending = null; });
  refreshShiftBadge(); // handovers waiting show on the panel's shift button
  await pending;
}

// A station chosen in the roll-up is chosen in the top bar, as if picked there.
export function bindStation() {
  on('workorders-changed', () => { if (visible) stationChanged(); });
  document.getElementById('station-rollup').addEventListener('click', (event) => {
    const code = event.target.closest('button[data-choose]')?.dataset.choose;
    if (!code) return;
    const select = document.getElementById('station-select');
    select.value = code;
    select.dispatchEvent(new Event('change'));
  });
}

// A new language redraws what is on screen now (its dates and words), not after the next
// refresh: a panel drawn in Thai never lingers in English.
onLangChange(() => {
  rerenderAnnouncements();
  if (last) render(...last);
  if (lastRollup) renderRollup(lastRollup);
});

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
