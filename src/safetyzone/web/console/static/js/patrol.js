// The patrol view: the chosen station's running plan with each target's visits, minutes and
// status (visited, pending, missed) and the share visited; today's checkpoint sessions with
// their results. On the map: every running plan's targets coloured by status, and today's
// checkpoints. Kept current by the feed (patrol.plan, patrol.checkpoint) and a slow refresh
// (a target turns "missed" by the clock, with no event behind it).
import * as L from '/vendor/leaflet/leaflet-src.esm.js';
import { formatDateTime, formatTime, pick, t } from './i18n.js';
import { layer } from './map.js';
import { api } from './session.js';
import { can, store } from './store.js';
import { el } from './ui.js';

const REFRESH_MS = 60000;
const COLOUR = { visited: '#1e8449', pending: '#d68910', missed: '#c0392b' };
const MARK = { red_box: 'R', risk_spot: '!', point: '•', home_watch: 'H' };
const plans = new Map(); // running plans with their targets, by id
const checkpoints = new Map(); // today's checkpoint sessions, by id
let visible = false;
let chosen = null; // the plan shown in the view
let timer = null;
const reloads = new Map();

export const patrolProbe = { plans, checkpoints }; // for the browser tests

export async function loadPatrol() {
  if (!can('ops.read')) return;
  const now = encodeURIComponent(new Date().toISOString());
  const [list, sessions] = await Promise.all([
    api(`/api/v1/patrol/plans?at=${now}&limit=500`), api('/api/v1/patrol/checkpoints'),
  ]);
  const running = await Promise.all(list.filter((p) => p.state === 'active')
    .map((p) => api(`/api/v1/patrol/plans/${encodeURIComponent(p.id)}`)));
  plans.clear();
  running.forEach((plan) => plans.set(plan.id, plan));
  checkpoints.clear();
  sessions.forEach((c) => checkpoints.set(c.id, c));
  drawPatrol();
  renderPatrol();
}

function summarize(targets) {
  const count = (s) => targets.filter((x) => x.status === s).length;
  const visited = count('visited');
  return { visited, pending: count('pending'), missed: count('missed'), total: targets.length,
    percent: targets.length ? Math.round((100 * visited) / targets.length) : 0 };
}

function reloadPlan(id) {
  clearTimeout(reloads.get(id));
  reloads.set(id, setTimeout(async () => {
    reloads.delete(id);
    const plan = await api(`/api/v1/patrol/plans/${encodeURIComponent(id)}`).catch(() => null);
    if (plan && plan.state === 'active') plans.set(id, plan);
    else plans.delete(id);
    drawPatrol();
    renderPatrol();
  }, 300));
}

// A feed entry: a target's new numbers, or a plan made, cancelled or given other units.
export function onPatrolEntry(entry) {
  if (entry.type === 'patrol.checkpoint') {
    checkpoints.set(entry.data.id, entry.data);
  } else if (entry.type === 'patrol.plan') {
    const { plan_id: id, event, target } = entry.data;
    const plan = plans.get(id);
    if (event === 'target' && plan && target) {
      plan.targets = plan.targets.map((x) => (x.id === target.id ? target : x));
      plan.summary = summarize(plan.targets);
    } else reloadPlan(id);
  } else return;
  drawPatrol();
  renderPatrol();
}

function targetLabel(x) {
  return `${pick(x, 'name')} · ${t('patrol.visits_of', { n: x.visits, of: x.target_visits })} · ${t(`patrol.status.${x.status}`)}`;
}

function drawPatrol() {
  const targets = layer('patrol');
  const points = layer('checkpoints');
  if (!targets || !points) return;
  targets.clearLayers();
  points.clearLayers();
  for (const plan of plans.values()) {
    for (const x of plan.targets) {
      L.circle([x.lat, x.lon], {
        radius: x.radius_m, color: COLOUR[x.status], weight: 2, fillColor: COLOUR[x.status],
        fillOpacity: 0.15, interactive: false, className: `patrol-area ${x.status}`,
      }).addTo(targets);
      L.marker([x.lat, x.lon], {
        icon: L.divIcon({ className: `mk patrol-target ${x.status}`, html: el('span', {}, MARK[x.kind] || '•'), iconSize: null }),
        title: pick(x, 'name'),
      }).bindTooltip(() => el('span', { class: 'ssz-label' }, targetLabel(x)), { direction: 'top', offset: [0, -8] })
        .addTo(targets);
    }
  }
  for (const c of checkpoints.values()) {
    if (c.status === 'cancelled') continue;
    L.marker([c.lat, c.lon], {
      icon: L.divIcon({ className: `mk checkpoint ${c.status}`, html: el('span', {}, t('patrol.cp_mark')), iconSize: null }),
      title: pick(c, 'name'),
    }).bindPopup(() => el('div', { class: 'ssz-popup-body' },
      el('b', { class: 'popup-title' }, pick(c, 'name')),
      el('div', {}, `${formatTime(c.starts_at).slice(0, 5)}–${formatTime(c.ends_at).slice(0, 5)} · ${t(`patrol.cp_status.${c.status}`)}`),
      el('div', {}, t('patrol.cp_results', { v: c.vehicles_checked, p: c.persons_checked, a: c.arrests }))),
    { className: 'ssz-popup' }).addTo(points);
  }
}

function card(titleKey, ...children) {
  return el('section', { class: `card ${titleKey.replace('.', '-')}` }, el('h3', { text: t(titleKey) }), ...children);
}

function figure(value, key, cls = '') {
  return el('div', { class: `figure ${cls}` }, el('b', {}, String(value)), el('span', {}, t(key)));
}

function planCard(plan) {
  const s = plan.summary;
  return card('patrol.plan',
    el('p', { class: 'patrol-plan-name' }, el('b', {}, plan.name)),
    el('p', { class: 'muted' }, `${formatDateTime(plan.starts_at)} – ${formatDateTime(plan.ends_at)}`),
    el('div', { class: 'figures' }, figure(`${s.percent}%`, 'patrol.percent', 'patrol-percent'),
      figure(s.visited, 'patrol.status.visited', 'visited'), figure(s.pending, 'patrol.status.pending'),
      figure(s.missed, 'patrol.status.missed', s.missed ? 'alert' : '')),
    el('progress', { class: 'patrol-progress', max: 100, value: s.percent, 'aria-label': t('patrol.percent') }),
    el('p', { class: 'muted' }, plan.unit_ids.length ? t('patrol.units', { n: plan.unit_ids.length })
      : t('patrol.all_units')));
}

function targetsCard(plan) {
  return card('patrol.targets', el('table', { class: 'grid patrol-targets' },
    el('thead', {}, el('tr', {}, ...['name', 'visits', 'minutes', 'last', 'status'].map((k) => el('th', {}, t(`patrol.col.${k}`))))),
    el('tbody', {}, plan.targets.map((x) => el('tr', { 'data-status': x.status, 'data-kind': x.kind },
      el('th', {}, el('span', { class: 'badge' }, t(`patrol.kind.${x.kind}`)), ' ', pick(x, 'name')),
      el('td', {}, `${x.visits}/${x.target_visits}`),
      el('td', {}, `${Math.round(x.minutes)}/${x.target_minutes}`),
      el('td', {}, x.last_visit_at ? formatTime(x.last_visit_at).slice(0, 5) : '–'),
      el('td', {}, el('span', { class: `badge patrol-status ${x.status}` }, t(`patrol.status.${x.status}`), x.alerted_at ? ' ⚠' : '')))))));
}

function checkpointsCard(list) {
  const open = list.filter((c) => c.status !== 'cancelled');
  const sum = (k) => open.reduce((n, c) => n + c[k], 0);
  return card('patrol.checkpoints',
    open.length ? el('table', { class: 'grid patrol-checkpoints' },
      el('thead', {}, el('tr', {}, ...['name', 'time', 'status', 'vehicles', 'persons', 'arrests'].map((k) => el('th', {}, t(`patrol.cp.${k}`))))),
      el('tbody', {}, open.map((c) => el('tr', {},
        el('th', {}, pick(c, 'name')), el('td', {}, `${formatTime(c.starts_at).slice(0, 5)}–${formatTime(c.ends_at).slice(0, 5)}`),
        el('td', {}, t(`patrol.cp_status.${c.status}`)), el('td', {}, String(c.vehicles_checked)),
        el('td', {}, String(c.persons_checked)), el('td', {}, String(c.arrests))))),
      el('tfoot', {}, el('tr', {}, el('th', {}, t('patrol.cp.total')), el('td', {}, ''), el('td', {}, ''),
        el('td', {}, String(sum('vehicles_checked'))), el('td', {}, String(sum('persons_checked'))), el('td', {}, String(sum('arrests'))))))
      : el('p', { class: 'muted' }, t('patrol.cp_none')));
}

export function renderPatrol() {
  if (!visible) return;
  const root = document.getElementById('patrol-body');
  const select = document.getElementById('patrol-plan');
  const mine = [...plans.values()].filter((p) => p.station_code === store.station);
  if (!mine.some((p) => p.id === chosen)) chosen = mine[0]?.id || null;
  select.replaceChildren(...mine.map((p) => el('option', { value: p.id }, p.name)));
  select.hidden = mine.length < 2;
  if (chosen) select.value = chosen;
  const plan = plans.get(chosen);
  const sessions = [...checkpoints.values()].filter((c) => c.station_code === store.station);
  root.replaceChildren(
    ...(plan ? [planCard(plan), targetsCard(plan)] : [card('patrol.plan', el('p', { class: 'muted' }, t('patrol.no_plan')))]),
    checkpointsCard(sessions));
}

export function bindPatrol() {
  document.getElementById('patrol-plan').addEventListener('change', (event) => {
    chosen = event.target.value;
    renderPatrol();
  });
}

export function setPatrolVisible(on) {
  visible = on;
  if (on) renderPatrol();
}

export function startPatrolRefresh() {
  clearInterval(timer);
  timer = setInterval(() => loadPatrol().catch(() => {}), REFRESH_MS);
}

export function rerenderPatrol() {
  drawPatrol();
  renderPatrol();
}
