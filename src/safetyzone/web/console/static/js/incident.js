// The incident panel: timeline, docked cameras' pictures, correlated events, recommended
// units with distance and ETA, dispatch, notes, and closing with a disposition.
import { acknowledge, addNote, dispatch, transition } from './actions.js';
import { callSection } from './calls.js';
import { evidenceSection } from './evidence.js';
import { downloadFile } from './files.js';
import { currentLang, formatAge, formatDateTime, formatDistance, formatDuration, pick, t, tOr } from './i18n.js';
import { clearTrail, focus, showTrail } from './map.js';
import { api, ApiError } from './session.js';
import { can, citizenForIncident, emit, on, OPEN_STATES, store, upsertIncident } from './store.js';
import { CameraTile } from './tiles.js';
import { el, toast } from './ui.js';

const DISPOSITIONS = ['resolved', 'assisted', 'arrest', 'false_alarm', 'test', 'duplicate',
  'no_trace', 'referred', 'maintenance_done'];
// Closing with a disposition is one step from any open state (the server releases the units
// still assigned), and from cleared.
const CLOSABLE = [...OPEN_STATES, 'cleared'];
let detail = null;
let tiles = [];
let tileKey = '';
let reloadTimer = null;
let trailKey = ''; // the incident (id:fixes) whose trail is on the map
// What the operator is in the middle of typing or choosing survives a refresh of the panel.
const draft = { id: null, disposition: '', note: '' };

const panel = () => document.getElementById('incident');

export function isOpen() { return !panel().hidden; }

export async function openIncident(id) {
  emit('close-citizen');
  store.open = id;
  store.selected = id;
  panel().hidden = false;
  document.body.classList.add('panel-open');
  await load(id, true);
  emit('panel', id);
}

export function closeIncident() {
  store.open = null;
  detail = null;
  panel().hidden = true;
  document.body.classList.remove('panel-open');
  stopTiles();
  clearTrail();
  trailKey = '';
  setTimeout(() => focus(null, null), 0);
  emit('panel', null);
}

function stopTiles() {
  tiles.forEach((tile) => tile.stop());
  tiles = [];
  tileKey = '';
}

async function load(id, center = false) {
  try {
    const fresh = await api(`/api/v1/incidents/${id}`);
    if (store.open !== id) return;
    keepDraft();
    detail = fresh;
    upsertIncident(fresh);
    render();
    if (center) focus(fresh.lat, fresh.lon);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      toast(t('incident.gone'), 'warn');
      closeIncident();
    } else throw err;
  }
}

export function reloadSoon(id) {
  if (store.open !== id) return;
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => load(id), 250);
}

function section(titleKey, ...children) {
  return el('section', { class: 'inc-section' }, el('h3', { text: t(titleKey) }), ...children);
}

// Only what the session's role may do is offered (a viewer sees none of it); the server
// refuses the rest anyway.
function actions(d) {
  const buttons = [];
  const acts = can('incident.act');
  if (acts && d.state === 'new') {
    buttons.push(el('button', { type: 'button', class: 'btn primary', 'data-act': 'ack' }, t('queue.ack')));
  }
  if (acts && ['dispatched', 'en_route'].includes(d.state)) {
    buttons.push(el('button', { type: 'button', class: 'btn', 'data-act': 'on_scene' }, t('action.on_scene')));
  }
  if (acts && d.state === 'on_scene') {
    buttons.push(el('button', { type: 'button', class: 'btn', 'data-act': 'cleared' }, t('action.cleared')));
  }
  const source = d.source_asset_id ? store.assets.get(d.source_asset_id) : null;
  if (source && (source.has_speaker || source.kind === 'loudspeaker') && can('command.send')) {
    buttons.push(el('button', { type: 'button', class: 'btn', 'data-act': 'speaker', 'data-id': source.id }, t('speaker.open')));
  }
  let closer = null;
  if (acts && CLOSABLE.includes(d.state)) {
    const select = el('select', { id: 'disposition', 'aria-label': t('close.disposition') },
      el('option', { value: '' }, t('close.choose')),
      ...DISPOSITIONS.map((k) => el('option', { value: k }, t(`disposition.${k}`))));
    closer = el('div', { class: 'closer' }, select,
      el('button', { type: 'button', class: 'btn danger', 'data-act': 'close' }, t('close.button')));
  }
  if (!buttons.length && !closer) return null;
  return el('div', { class: 'inc-actions' }, ...buttons, closer);
}

// A closed incident takes no unit any more: the panel names the units it had instead.
function unitsEver(d) {
  const callsigns = [...new Set(d.timeline.filter((e) => e.entry === 'dispatched' && e.detail?.callsign)
    .map((e) => e.detail.callsign))];
  return section('incident.units_ever', callsigns.length
    ? el('p', { class: 'assigned' }, callsigns.map((c) => el('span', { class: 'badge unit' }, c)))
    : el('p', { class: 'muted' }, t('dispatch.none')));
}

function units(d) {
  if (d.state === 'closed') return unitsEver(d);
  const assigned = d.assigned_unit_ids.map((id) => store.units.get(id)).filter(Boolean);
  const rows = d.recommended_units.map((u, index) => el('li', { class: 'rec', 'data-unit': u.unit_id },
    el('span', { class: 'callsign' }, u.callsign),
    el('span', { class: 'muted' }, t(`unit_kind.${u.kind}`)),
    el('span', {}, formatDistance(u.distance_m)),
    el('span', {}, t('dispatch.eta', { eta: formatDuration(u.eta_s) })),
    u.stale_fix ? el('span', { class: 'badge warn' }, t('dispatch.stale')) : null,
    can('incident.act') ? el('button', { type: 'button', class: `btn ${index === 0 ? 'primary' : ''}`, 'data-act': 'dispatch',
      'data-id': u.unit_id }, t('dispatch.button')) : null));
  return section('incident.units',
    assigned.length ? el('p', { class: 'assigned' }, t('dispatch.assigned'), ' ',
      assigned.map((u) => el('span', { class: 'badge unit' }, `${u.callsign} · ${t(`unit_status.${u.status}`)}`))) : null,
    rows.length ? el('ul', { class: 'recs' }, rows) : el('p', { class: 'muted' }, t('dispatch.none')));
}

function cameras(d) {
  if (d.state === 'closed') { // what was docked, named: no live pictures for a closed incident
    stopTiles();
    return section('incident.cameras', el('p', { id: 'inc-cameras-docked' },
      d.cameras.map((c) => `${c.code}${pick(c, 'name') ? ` · ${pick(c, 'name')}` : ''}`).join(', ') || '–'));
  }
  const live = d.cameras.filter((c) => c.live);
  const notLive = d.cameras.filter((c) => !c.live);
  const key = live.map((c) => c.camera_id).join(',');
  const grid = el('div', { class: 'inc-cams' });
  if (key !== tileKey) {
    stopTiles();
    tileKey = key;
    tiles = live.map((c) => new CameraTile({ id: c.camera_id, code: c.code }));
  }
  tiles.forEach((tile) => grid.appendChild(tile.el));
  const part = section('incident.cameras', live.length ? grid : el('p', { class: 'muted' }, t('incident.no_cameras')),
    notLive.length ? el('p', { class: 'muted' }, t('camera.msg.footage'), ': ', notLive.map((c) => c.code).join(', ')) : null);
  // How many: on a laptop the strip shows one row and scrolls for the rest.
  if (live.length > 2) part.querySelector('h3').append(` (${live.length})`);
  return part;
}

function timeline(d) {
  // A release names only its unit's id: its call sign is the one its dispatch named.
  const callsigns = new Map(d.timeline.filter((e) => e.entry === 'dispatched' && e.detail?.unit_id)
    .map((e) => [e.detail.unit_id, e.detail.callsign]));
  return section('incident.timeline', el('ol', { class: 'timeline' }, d.timeline.map((entry) => el('li', {},
    el('time', {}, formatDateTime(entry.at, { seconds: true })),
    el('span', { class: 'who' }, entry.username),
    el('span', {}, t(`log.${entry.entry}`)),
    entry.to_state ? el('span', { class: `badge state-${entry.to_state}` }, t(`state.${entry.to_state}`)) : null,
    entry.detail?.callsign || callsigns.get(entry.detail?.unit_id)
      ? el('span', {}, entry.detail?.callsign || callsigns.get(entry.detail.unit_id)) : null,
    entry.detail?.on_behalf_of ? el('span', { class: 'badge on-behalf' }, t('log.on_behalf', { unit: entry.detail.on_behalf_of })) : null,
    entry.detail?.disposition ? el('span', {}, tOr(`disposition.${entry.detail.disposition}`, entry.detail.disposition)) : null,
    Array.isArray(entry.detail?.fixes) ? el('span', {}, t('citizen.trail_count', { n: entry.detail.fixes.length })) : null,
    entry.text ? el('q', {}, entry.text) : null))));
}

function correlated(d) {
  if (!d.correlated_events.length) return null;
  return section('incident.correlated', el('ul', { class: 'plain' }, d.correlated_events.map((e) => el('li', {},
    el('span', {}, t(`event.${e.kind}`)), ' · ', formatDistance(e.distance_m), ' · ',
    el('time', {}, formatDateTime(e.received_at, { seconds: true }))))));
}

function notes() {
  if (!can('incident.act')) return null;
  const input = el('textarea', { id: 'note-text', rows: 2, placeholder: t('notes.placeholder'), 'aria-label': t('notes.title') });
  const part = section('notes.title', el('div', { class: 'note-form' }, input,
    el('button', { type: 'button', class: 'btn', 'data-act': 'note' }, t('notes.add'))));
  part.classList.add('no-print');
  return part;
}

// The incident's report, for every state: the PDF (in the console's language), the timeline
// as CSV, and the browser's print of this panel (console.css has the print sheet).
function report() {
  return el('div', { class: 'inc-report no-print', role: 'group', 'aria-label': t('report.title') },
    el('span', { class: 'muted' }, t('report.title')),
    el('button', { type: 'button', class: 'btn small', 'data-act': 'report-pdf' }, t('report.pdf')),
    el('button', { type: 'button', class: 'btn small', 'data-act': 'report-csv' }, t('report.csv')),
    el('button', { type: 'button', class: 'btn small', 'data-act': 'print' }, t('report.print')));
}

async function fetchReport(id, act) {
  const [path, name] = act === 'report-pdf'
    ? [`/api/v1/incidents/${id}/report.pdf?lang=${currentLang()}`, `incident-${id}.pdf`]
    : [`/api/v1/incidents/${id}/report.csv`, `incident-${id}.csv`];
  try {
    await downloadFile(path, name);
  } catch (err) {
    toast(`${t('error.action')}: ${err.message}`, 'error');
  }
}

// An incident that a citizen opened (an emergency, or a report turned into an incident): its
// ticket, how often the caller pressed, and the trail of later fixes from the phone (the
// timeline's "trail" entries) on the map, beside the incident's own position, which a fix
// never moves.
function trailFixes(d) {
  return d.timeline.filter((e) => e.entry === 'trail').flatMap((e) => e.detail?.fixes || [])
    .filter((f) => typeof f.lat === 'number' && typeof f.lon === 'number');
}

function citizenTicket(d) {
  const item = citizenForIncident(d);
  const code = d.detail?.ticket || item?.code;
  const fixes = trailFixes(d);
  const key = `${d.id}:${fixes.length}`;
  if (key !== trailKey) {
    trailKey = key;
    if (fixes.length) showTrail(fixes); else clearTrail();
  }
  if (!code) return null;
  return section('citizen.ticket', el('p', { id: 'inc-citizen', class: 'inc-citizen' },
    el('b', { class: 'code' }, code),
    item ? el('span', { class: `badge channel ch-${item.channel}` }, tOr(`citizen.channel.${item.channel}`, item.channel)) : null,
    d.event_count > 1 ? el('span', { class: 'badge' }, t('citizen.presses', { n: d.event_count })) : null,
    fixes.length ? el('span', { class: 'muted', id: 'inc-citizen-fixes' }, `${t('citizen.trail')}: ${t('citizen.trail_count', { n: fixes.length })}`) : null,
    item ? el('button', { type: 'button', class: 'btn small', 'data-act': 'citizen', 'data-id': item.id }, t('citizen.open_ticket')) : null));
}

function keepDraft() {
  const root = panel();
  if (draft.id !== detail?.id) return;
  const select = root.querySelector('#disposition');
  const note = root.querySelector('#note-text');
  if (select) draft.disposition = select.value;
  if (note) draft.note = note.value;
}

function render() {
  const d = detail;
  if (!d) return;
  keepDraft();
  if (draft.id !== d.id) Object.assign(draft, { id: d.id, disposition: '', note: '' });
  const root = panel();
  root.dataset.state = d.state;
  root.dataset.id = d.id;
  root.querySelector('.inc-prio').textContent = `P${d.priority}`;
  root.querySelector('.inc-prio').className = `inc-prio prio p${d.priority}`;
  root.querySelector('#inc-title').textContent = pick(d, 'title');
  const station = store.stations.find((s) => s.id === d.station_id);
  const meta = el('dl', { class: 'inc-meta' },
    station ? el('dt', {}, t('incident.station')) : null,
    station ? el('dd', { id: 'inc-station' }, `${currentLang() === 'en' ? station.name_en : station.name_th} (${station.code})`) : null,
    el('dt', {}, t('incident.kind')), el('dd', {}, tOr(`incident_kind.${d.kind}`, d.kind)),
    el('dt', {}, t('incident.state')), el('dd', {}, el('span', { class: `badge state-${d.state}`, id: 'inc-state' }, t(`state.${d.state}`)),
      d.escalation_level ? el('span', { class: 'badge escalated' }, t('queue.escalated', { n: d.escalation_level })) : null),
    el('dt', {}, t('incident.opened')), el('dd', {}, formatDateTime(d.opened_at, { seconds: true }),
      d.state === 'closed' ? null : ` · ${formatAge(d.opened_at)}`),
    el('dt', {}, t('incident.source')), el('dd', {}, pick(d.detail || {}, 'source') || '–'),
    el('dt', {}, t('incident.acknowledged_by')), el('dd', { id: 'inc-ack-by' }, d.acknowledged_by || '–'),
    d.closed_at ? el('dt', {}, t('incident.closed_at')) : null,
    d.closed_at ? el('dd', {}, formatDateTime(d.closed_at, { seconds: true })) : null,
    d.disposition ? el('dt', {}, t('close.disposition')) : null,
    d.disposition ? el('dd', {}, tOr(`disposition.${d.disposition}`, d.disposition)) : null);
  const body = root.querySelector('#inc-body');
  const focused = document.activeElement?.id;
  body.replaceChildren(meta, actions(d) || '', report(), citizenTicket(d) || '', callSection(d) || '', units(d), cameras(d), evidenceSection(d) || '', correlated(d) || '', timeline(d), notes() || '');
  const select = root.querySelector('#disposition');
  if (select && [...select.options].some((o) => o.value === draft.disposition)) select.value = draft.disposition;
  const note = root.querySelector('#note-text');
  if (note) note.value = draft.note;
  if (focused === 'note-text' || focused === 'disposition') root.querySelector(`#${focused}`)?.focus();
}

export function bindIncident() {
  on('open-incident', (id) => openIncident(id));
  on('close-incident', () => { if (isOpen()) closeIncident(); });
  panel().querySelector('#inc-close').addEventListener('click', closeIncident);
  panel().addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-act]');
    if (!button || !detail) return;
    const id = detail.id;
    if (button.dataset.act === 'print') { window.print(); return; }
    button.disabled = true;
    try {
      const act = button.dataset.act;
      if (act === 'ack') await acknowledge(id);
      else if (act === 'dispatch') await dispatch(id, button.dataset.id);
      else if (act === 'on_scene' || act === 'cleared') await transition(id, act);
      else if (act === 'report-pdf' || act === 'report-csv') { await fetchReport(id, act); return; }
      else if (act === 'speaker') emit('speaker', button.dataset.id);
      else if (act === 'citizen') { emit('open-citizen', button.dataset.id); return; }
      else if (act === 'close') {
        const disposition = panel().querySelector('#disposition').value;
        if (!disposition) {
          toast(t('close.need_disposition'), 'warn');
          return;
        }
        if (await transition(id, 'closed', disposition)) closeIncident();
        return;
      } else if (act === 'note') {
        const text = panel().querySelector('#note-text').value.trim();
        if (!text) return;
        if (await addNote(id, text)) {
          draft.note = '';
          panel().querySelector('#note-text').value = '';
        }
      }
      await load(id);
    } finally {
      button.disabled = false;
    }
  });
}
