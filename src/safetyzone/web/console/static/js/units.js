// The unit board: every unit of the chosen station with its status, crew, age of the last
// fix and what it holds; the duty officer enters progress heard on the radio (the timeline
// says "on behalf of"), releases, reassigns, and takes units out of service with a reason.
import { formatDuration, pick, t } from './i18n.js';
import { api, ApiError } from './session.js';
import { can, emit, OPEN_STATES, store } from './store.js';
import { el, toast } from './ui.js';

let visible = false;
let rows = [];
let timer = null;
let soon = null;
let pending = null;
const filter = { status: '', text: '' };
let asking = null; // { unit, kind: 'oos' | 'reassign' }: the row whose inline form is open

const body = () => document.getElementById('units-body');
const BUSY = ['dispatched', 'en_route', 'on_scene'];

function matches(row) {
  if (filter.status === 'busy' && !BUSY.includes(row.status)) return false;
  if (filter.status && filter.status !== 'busy' && row.status !== filter.status) return false;
  const text = filter.text.trim().toLowerCase();
  if (!text) return true;
  return [row.code, row.callsign, ...row.crew].some((v) => v.toLowerCase().includes(text));
}

function fixCell(row) {
  if (row.fix_age_s == null) return el('td', { class: 'muted' }, t('units.no_fix'));
  return el('td', { class: row.stale_fix ? 'bad' : '' }, formatDuration(row.fix_age_s),
    row.position_suspect ? el('span', { class: 'badge warn' }, t('units.suspect')) : null);
}

function assignmentCell(row) {
  if (!row.assignments.length) return el('td', { class: 'muted' }, '–');
  return el('td', {}, row.assignments.map((a) => el('div', { class: 'held' },
    el('span', { class: `prio p${a.priority}` }, `P${a.priority}`), ' ',
    el('button', { type: 'button', class: 'btn link', 'data-act': 'open', 'data-id': a.incident_id }, pick(a, 'title')),
    ' ', el('span', { class: `badge state-${a.state}` }, t(`state.${a.state}`)))));
}

function button(act, unit, key, cls = '') {
  return el('button', { type: 'button', class: `btn small ${cls}`, 'data-act': act, 'data-unit': unit.id }, t(key));
}

// Open incidents of the unit's station it could be moved to.
function targets(row) {
  const held = new Set(row.assignments.map((a) => a.incident_id));
  return [...store.incidents.values()].filter((i) => i.station_id === row.station_id
    && OPEN_STATES.includes(i.state) && !held.has(i.id))
    .sort((a, b) => a.priority - b.priority || new Date(a.opened_at) - new Date(b.opened_at));
}

function actions(row) {
  if (!can('incident.act')) return null;
  if (asking?.unit === row.id && asking.kind === 'oos') {
    return el('form', { class: 'inline-ask', 'data-unit': row.id, 'data-kind': 'oos' },
      el('input', { name: 'reason', maxlength: 300, required: true, placeholder: t('units.reason'), 'aria-label': t('units.reason') }),
      el('button', { type: 'submit', class: 'btn small danger' }, t('units.out_of_service')),
      button('cancel', row, 'units.cancel'));
  }
  if (asking?.unit === row.id && asking.kind === 'reassign') {
    const options = targets(row);
    return el('form', { class: 'inline-ask', 'data-unit': row.id, 'data-kind': 'reassign' },
      el('select', { name: 'incident', required: true, 'aria-label': t('units.reassign_to') },
        el('option', { value: '' }, options.length ? t('units.reassign_to') : t('units.no_targets')),
        ...options.map((i) => el('option', { value: i.id }, `P${i.priority} ${pick(i, 'title')}`))),
      el('button', { type: 'submit', class: 'btn small primary' }, t('units.reassign')),
      button('cancel', row, 'units.cancel'));
  }
  const out = [];
  if (row.assignments.length) {
    if (row.status === 'dispatched') out.push(button('en_route', row, 'units.en_route'));
    if (['dispatched', 'en_route'].includes(row.status)) out.push(button('on_scene', row, 'units.on_scene'));
    if (row.status === 'on_scene') out.push(button('cleared', row, 'units.cleared'));
    out.push(button('release', row, 'units.release'), button('reassign', row, 'units.reassign'));
  } else {
    if (row.status !== 'available') out.push(button('available', row, 'units.available', 'primary'));
    if (row.status !== 'unavailable') out.push(button('oos', row, 'units.out_of_service'));
    if (row.status !== 'off_duty' && !row.crew.length) out.push(button('off_duty', row, 'units.off_duty'));
    if (row.status === 'available') out.push(button('reassign', row, 'units.send'));
  }
  return el('div', { class: 'unit-acts' }, ...out);
}

function render() {
  const shown = rows.filter(matches);
  const counts = {};
  rows.forEach((r) => { counts[r.status] = (counts[r.status] || 0) + 1; });
  document.getElementById('units-summary').replaceChildren(...Object.entries(counts).map(([s, n]) => el('span', { class: `badge unit-${s}` }, `${t(`unit_status.${s}`)} ${n}`)));
  const focused = document.activeElement?.closest?.('form.inline-ask') ? document.activeElement.name : null;
  body().replaceChildren(shown.length ? el('table', { class: 'grid units' },
    el('thead', {}, el('tr', {}, ...['units.unit', 'units.kind', 'units.status', 'units.crew', 'units.fix', 'units.holds', ''].map((k) => el('th', {}, k ? t(k) : '')))),
    el('tbody', {}, shown.map((row) => el('tr', { 'data-unit': row.id, 'data-code': row.code, 'data-status': row.status },
      el('th', {}, el('b', {}, row.callsign), el('div', { class: 'muted' }, row.code)),
      el('td', {}, t(`unit_kind.${row.kind}`)),
      el('td', {}, el('span', { class: `badge unit-${row.status}` }, t(`unit_status.${row.status}`))),
      el('td', {}, row.crew.length ? row.crew.join(', ') : el('span', { class: 'muted' }, '–')),
      fixCell(row), assignmentCell(row), el('td', {}, actions(row))))))
    : el('p', { class: 'muted' }, t('units.none')));
  if (focused) body().querySelector(`form.inline-ask [name=${focused}]`)?.focus();
}

export async function refreshUnits() {
  if (!visible) return;
  if (pending) return;
  const station = store.station ? `?station_code=${encodeURIComponent(store.station)}` : '';
  pending = api(`/api/v1/unit-board${station}`).then((fresh) => { rows = fresh; render(); })
    .finally(() => { pending = null; });
  await pending;
}

export function unitsChanged() {
  if (!visible) return;
  clearTimeout(soon);
  soon = setTimeout(() => refreshUnits().catch(() => {}), 300);
}

export function setUnitsVisible(on) {
  visible = on;
  clearInterval(timer);
  if (on) {
    refreshUnits().catch((err) => toast(`${t('error.action')}: ${err.message}`, 'error'));
    timer = setInterval(() => refreshUnits().catch(() => {}), 15000);
  }
}

async function act(unitId, kind, extra = {}) {
  const row = rows.find((r) => r.id === unitId);
  if (kind === 'release') {
    const incident = row.assignments[0]?.incident_id;
    await api(`/api/v1/incidents/${incident}/units/${unitId}/release`, { method: 'POST' });
  } else if (kind === 'reassign') {
    await api(`/api/v1/unit-board/${unitId}/reassign`, { method: 'POST', json: { incident_id: extra.incident } });
  } else {
    await api(`/api/v1/unit-board/${unitId}/status`, { method: 'POST', json: { status: kind, ...extra } });
  }
  toast(t('units.done', { unit: row.callsign }), 'ok');
}

function failed(err) {
  const detail = err instanceof ApiError ? err.message : String(err);
  toast(`${t('error.action')}: ${detail}`, err instanceof ApiError && err.status === 409 ? 'warn' : 'error');
}

export function bindUnits() {
  document.getElementById('units-filter').addEventListener('input', (event) => { filter.text = event.target.value; render(); });
  document.getElementById('units-status').addEventListener('change', (event) => { filter.status = event.target.value; render(); });
  body().addEventListener('click', async (event) => {
    const target = event.target.closest('button[data-act]');
    if (!target || target.type === 'submit') return;
    const { act: kind, unit, id } = target.dataset;
    if (kind === 'open') { emit('open-incident', id); return; }
    if (kind === 'cancel') { asking = null; render(); return; }
    if (kind === 'oos' || kind === 'reassign') {
      asking = { unit, kind };
      render();
      body().querySelector('form.inline-ask input, form.inline-ask select')?.focus();
      return;
    }
    target.disabled = true;
    try {
      await act(unit, kind);
      await refreshUnits();
    } catch (err) { failed(err); } finally { target.disabled = false; }
  });
  body().addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const { unit, kind } = form.dataset;
    try {
      if (kind === 'oos') await act(unit, 'unavailable', { reason: form.elements.reason.value.trim() });
      else await act(unit, 'reassign', { incident: form.elements.incident.value });
      asking = null;
      await refreshUnits();
    } catch (err) { failed(err); }
  });
}
