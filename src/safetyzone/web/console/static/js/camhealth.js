// Camera health on the station panel: uptime by owner class over the last 24 hours and 7
// days (from the history of states the server's prober writes), and every camera with its
// state, latency, picture size and when it was last checked, the ones down first. Data is
// text: every value goes into the page as a text node.
import { formatAge, formatDateTime, onLangChange, t } from './i18n.js';
import { api } from './session.js';
import { el } from './ui.js';

const DAY_MS = 24 * 3600 * 1000;
const SHOWN = 40; // cameras listed; the rest are counted, never silently cut
const RANK = { offline: 0, frozen: 1, null: 2, online: 3 };
let last = null;
let pending = null;

const pct = (value) => (value == null ? '–' : `${value.toFixed(1)} %`);

function uptimeTable(day, week) {
  const owners = (day?.owners || []).map((o) => o.owner_class);
  const weekBy = new Map((week?.owners || []).map((o) => [o.owner_class, o]));
  const row = (label, d, w, attrs = {}) => el('tr', attrs, el('th', {}, label),
    el('td', { class: d?.uptime_pct != null && d.uptime_pct < 95 ? 'bad' : '' }, pct(d?.uptime_pct)),
    el('td', {}, pct(w?.uptime_pct)),
    el('td', { class: 'muted' }, d ? `${d.observed_cameras}/${d.cameras}` : '–'));
  return el('table', { class: 'grid cam-uptime' },
    el('thead', {}, el('tr', {}, el('th', {}, t('camhealth.owner')), el('th', {}, t('camhealth.day')),
      el('th', {}, t('camhealth.week')), el('th', {}, t('camhealth.observed')))),
    el('tbody', {}, ...owners.map((owner) => row(t(`owner.${owner}`),
      day.owners.find((o) => o.owner_class === owner), weekBy.get(owner), { 'data-owner': owner })),
    day ? row(t('camhealth.all'), day.total, week?.total, { class: 'total' }) : null));
}

function size(c) { return c.width && c.height ? `${c.width}×${c.height}` : '–'; }

function cameraRows(rows) {
  const sorted = [...rows].sort((a, b) => (RANK[a.state] - RANK[b.state]) || a.code.localeCompare(b.code));
  return sorted.slice(0, SHOWN).map((c) => el('tr', { 'data-camera': c.camera_id, 'data-state': c.state || 'unknown' },
    el('th', {}, c.code),
    el('td', {}, t(`owner.${c.owner_class}`)),
    el('td', { class: c.state === 'online' ? 'ok' : c.state ? 'bad' : 'muted' },
      c.state ? t(`camera.state.${c.state}`) : t(c.monitored ? 'camstat.unknown' : 'camhealth.unmonitored')),
    el('td', {}, c.since && c.state !== 'online' ? formatAge(c.since) : ''),
    el('td', {}, c.latency_ms != null ? t('camhealth.ms', { n: c.latency_ms }) : '–'),
    el('td', {}, size(c)),
    el('td', { class: 'muted' }, c.checked_at ? formatDateTime(c.checked_at, { seconds: true }) : t('camstat.unknown')),
    el('td', { class: 'muted detail' }, c.detail || '')));
}

function render(data) {
  last = data;
  const root = document.getElementById('camera-health-card');
  if (!root) return;
  if (!data) { root.replaceChildren(); root.hidden = true; return; }
  const { rows, day, week } = data;
  const heads = ['camhealth.code', 'camhealth.owner', 'camhealth.state', 'camhealth.down_for',
    'camhealth.latency', 'camhealth.size', 'camhealth.checked', 'camhealth.detail'];
  root.hidden = false;
  root.replaceChildren(
    el('h3', { text: t('camhealth.title') }),
    el('p', { class: 'muted' }, t('camhealth.uptime_note')),
    uptimeTable(day, week),
    el('div', { class: 'cam-health-scroll' }, el('table', { class: 'grid cam-health' },
      el('thead', {}, el('tr', {}, heads.map((k) => el('th', {}, t(k))))),
      el('tbody', {}, cameraRows(rows)))),
    rows.length > SHOWN ? el('p', { class: 'muted' }, t('camhealth.more', { shown: SHOWN, total: rows.length })) : null);
}

// The card's place on the panel; filled when the figures arrive.
export function cameraHealthCard() {
  const section = el('section', { class: 'card camera-health', id: 'camera-health-card' });
  section.hidden = true;
  return section;
}

export function redrawCameraHealth(station = null) {
  if (last && (!station || last.station === station)) render(last);
}

export async function refreshCameraHealth(station) {
  if (!station || pending) return;
  const code = encodeURIComponent(station);
  const now = Date.now();
  const since = (ms) => encodeURIComponent(new Date(now - ms).toISOString());
  pending = Promise.all([
    api(`/api/v1/camera-health?station_code=${code}`),
    api(`/api/v1/camera-health/uptime?station_code=${code}&since=${since(DAY_MS)}`).catch(() => []),
    api(`/api/v1/camera-health/uptime?station_code=${code}&since=${since(7 * DAY_MS)}`).catch(() => []),
  ]).then(([rows, day, week]) => render({ station, rows, day: day[0] || null, week: week[0] || null }))
    .catch(() => render(null))
    .finally(() => { pending = null; });
  await pending;
}

onLangChange(() => redrawCameraHealth());
