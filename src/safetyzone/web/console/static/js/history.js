// The History view (ประวัติเหตุ, key 6): every incident of the user's stations, closed ones
// included, found by day, state, kind, station, unit, disposition, priority and words; a
// page of results (newest first, time in B.E. for Thai, Gregorian for English, station
// named), and the search as CSV. A row opens the incident panel (incident.js) with its whole
// timeline and its report buttons (PDF, CSV, print).
import { downloadFile } from './files.js';
import { currentLang, formatDateTime, keysWith, pick, t, tOr } from './i18n.js';
import { api } from './session.js';
import { dateWithEcho, field, refused } from './services-ui.js';
import { can, emit, on, OPEN_STATES, store } from './store.js';
import { el, toast } from './ui.js';

const PAGE = 50;
const STATES = ['', 'open', ...OPEN_STATES, 'cleared', 'closed'];
const FIELDS = ['from', 'to', 'state', 'kind', 'station', 'unit', 'disposition', 'priority', 'q'];
const found = { items: [], total: 0, offset: 0, searched: false };
let visible = false;
let asked = new URLSearchParams(); // the filters of the results shown
let rounds = 0; // searches started: only the newest draws

export const historyProbe = { total: () => found.total, offset: () => found.offset };

const $ = (id) => document.getElementById(id);
const root = () => $('history-body');

function option(value, label) { return el('option', { value }, label); }

function select(id, values, allKey = 'history.all') {
  return el('select', { id }, option('', t(allKey)), ...values.map(([value, label]) => option(value, label)));
}

// The form as the person left it: kept across a language switch, which redraws the view.
function values() {
  const out = {};
  for (const name of FIELDS) out[name] = $(`history-${name}`)?.value || '';
  return out;
}

function form(kept) {
  const from = dateWithEcho({ id: 'history-from' });
  const to = dateWithEcho({ id: 'history-to' });
  const states = STATES.filter(Boolean).map((s) => [s, s === 'open' ? t('history.state.open') : t(`state.${s}`)]);
  const kinds = keysWith('incident_kind.').map((k) => [k, t(`incident_kind.${k}`)])
    .sort((a, b) => a[1].localeCompare(b[1], currentLang()));
  const stations = store.stations.map((s) => [s.code, `${currentLang() === 'en' ? s.name_en : s.name_th} (${s.code})`]);
  const dispositions = keysWith('disposition.').map((k) => [k, t(`disposition.${k}`)]);
  const node = el('form', { id: 'history-form', class: 'svc-form history-form', 'aria-label': t('history.form') },
    field('history.from', from.picker, from.echo),
    field('history.to', to.picker, to.echo),
    field('history.state', select('history-state', states, 'history.state.all')),
    field('history.kind', select('history-kind', kinds)),
    field('history.station', select('history-station', stations, 'history.all_stations')),
    field('history.unit', el('input', { id: 'history-unit', type: 'text', maxlength: 64 })),
    field('history.disposition', select('history-disposition', dispositions)),
    field('history.priority', select('history-priority', [1, 2, 3, 4, 5].map((p) => [String(p), `P${p}`]))),
    field('history.q', el('input', { id: 'history-q', type: 'search', maxlength: 200, placeholder: t('history.q_hint') })),
    el('div', { class: 'history-buttons' },
      el('button', { type: 'submit', class: 'btn primary', id: 'history-search' }, t('history.search')),
      el('button', { type: 'reset', class: 'btn', id: 'history-reset' }, t('history.reset')),
      el('button', { type: 'button', class: 'btn', id: 'history-csv' }, t('history.csv'))));
  for (const name of FIELDS) {
    const control = node.querySelector(`#history-${name}`);
    if (kept[name] && [...(control.options || [{ value: kept[name] }])].some((o) => o.value === kept[name])) {
      control.value = kept[name];
      control.dispatchEvent(new Event('input')); // the B.E. echo under a date
    }
  }
  return node;
}

function nextDay(day) { return new Date(Date.parse(`${day}T00:00:00Z`) + 86400000).toISOString().slice(0, 10); }

// The days are Bangkok days: from the start of "from" to the end of "to".
function params(v) {
  const p = new URLSearchParams();
  if (v.from) p.set('opened_from', `${v.from}T00:00:00+07:00`);
  if (v.to) p.set('opened_to', `${nextDay(v.to)}T00:00:00+07:00`);
  if (v.state === 'open') OPEN_STATES.forEach((s) => p.append('state', s));
  else if (v.state) p.append('state', v.state);
  for (const name of ['kind', 'disposition', 'priority']) if (v[name]) p.append(name, v[name]);
  if (v.station) p.set('station_code', v.station);
  if (v.unit.trim()) p.set('unit', v.unit.trim());
  if (v.q.trim()) p.set('q', v.q.trim());
  return p;
}

function stationName(row) {
  return currentLang() === 'en' ? (row.station_name_en || row.station_code) : row.station_name_th;
}

function results() {
  if (!found.searched) return el('p', { class: 'muted' }, '');
  if (!found.items.length) return el('p', { class: 'muted', id: 'history-none' }, t('history.none'));
  const head = ['opened', 'station', 'priority', 'kind', 'title', 'state', 'disposition', 'units'];
  return el('div', { class: 'history-scroll' }, el('table', { class: 'grid svc-table history-table', id: 'history-table' },
    el('thead', {}, el('tr', {}, head.map((key) => el('th', { scope: 'col' }, t(`history.col.${key}`))))),
    el('tbody', {}, found.items.map((r) => el('tr', {
      'data-id': r.id, 'data-state': r.state, class: store.open === r.id ? 'opened' : '',
    },
    el('td', { class: 'nowrap' }, formatDateTime(r.opened_at)),
    el('td', {}, stationName(r)),
    el('td', {}, el('span', { class: `prio p${r.priority}` }, `P${r.priority}`)),
    el('td', {}, tOr(`incident_kind.${r.kind}`, r.kind)),
    el('td', {}, el('button', { type: 'button', class: 'btn link history-open', 'data-open': r.id }, pick(r, 'title'))),
    el('td', {}, el('span', { class: `badge state-${r.state}` }, t(`state.${r.state}`))),
    el('td', {}, r.disposition ? tOr(`disposition.${r.disposition}`, r.disposition) : '–'),
    el('td', {}, r.units.join(', ') || '–'))))));
}

function pager() {
  if (!found.total) return null;
  const last = Math.min(found.offset + found.items.length, found.total);
  return el('div', { class: 'history-pager' },
    el('button', { type: 'button', class: 'btn', id: 'history-prev', disabled: found.offset === 0 }, t('history.prev')),
    el('output', { id: 'history-count' }, t('history.count', { from: found.offset + 1, to: last, total: found.total })),
    el('button', { type: 'button', class: 'btn', id: 'history-next', disabled: last >= found.total }, t('history.next')));
}

function drawResults() {
  const box = $('history-results');
  if (box) box.replaceChildren(results(), pager() || '');
}

export function renderHistory() {
  const body = root();
  if (!body) return;
  const kept = values();
  body.replaceChildren(form(kept),
    el('section', { id: 'history-results', class: 'card history-results', 'aria-label': t('history.results') }));
  drawResults();
}

async function search(offset = 0, filters = null) {
  if (filters) asked = filters;
  const mine = ++rounds;
  const box = $('history-results');
  box?.setAttribute('aria-busy', 'true');
  try {
    const page = await api(`/api/v1/incidents/search?${asked}&limit=${PAGE}&offset=${offset}`);
    if (mine !== rounds) return;
    Object.assign(found, { items: page.items, total: page.total, offset: page.offset, searched: true });
    drawResults();
  } catch (err) {
    if (mine === rounds) refused(err);
  } finally {
    if (mine === rounds) $('history-results')?.removeAttribute('aria-busy');
  }
}

async function exportCsv(button) {
  button.disabled = true;
  try {
    await downloadFile(`/api/v1/incidents/search.csv?${params(values())}`, 'incidents.csv');
    toast(t('history.exported', { name: 'incidents.csv' }), 'ok');
  } catch (err) {
    refused(err);
  } finally {
    button.disabled = false;
  }
}

export function setHistoryVisible(on) {
  visible = on;
  if (on && !found.searched) search(0, params(values()));
}

export function showHistoryTab() {
  document.getElementById('history-tab').hidden = !can('ops.read');
}

export function bindHistory() {
  renderHistory();
  const body = root();
  body.addEventListener('submit', (event) => {
    event.preventDefault();
    search(0, params(values()));
  });
  body.addEventListener('reset', () => setTimeout(() => {
    body.querySelectorAll('.be-date').forEach((echo) => { echo.textContent = ''; });
    search(0, params(values()));
  }, 0));
  body.addEventListener('click', (event) => {
    const target = event.target;
    if (target.closest('#history-csv')) { exportCsv(target.closest('#history-csv')); return; }
    if (target.closest('#history-prev')) { search(Math.max(0, found.offset - PAGE)); return; }
    if (target.closest('#history-next')) { search(found.offset + PAGE); return; }
    const row = target.closest('tr[data-id]');
    if (row) emit('open-incident', row.dataset.id);
  });
  // The open row stays marked while the panel shows it.
  on('panel', () => { if (visible) drawResults(); });
}
