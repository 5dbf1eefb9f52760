// The CCOC's shift, in a side sheet opened from the station panel (the shift is the
// station's, like the panel): who is on duty, going on and off duty, the shift log with an
// entry form, the handover with the open items it carries, the incoming officer's
// acknowledgement, and the commander's daily report (PDF). Everything typed is text: the
// sheet is built with el(), and readers who cannot act see no form and no button to act.
import { downloadFile } from './files.js';
import { currentLang, formatAge, formatDateTime, onLangChange, pick, t } from './i18n.js';
import { api, username } from './session.js';
import { can, OPEN_STATES, store } from './store.js';
import { el, showDialog, toast } from './ui.js';

let data = null; // { code, state, log } last drawn, redrawn at once in a new language
let timer = null;
let busy = false;

const sheet = () => document.getElementById('shift');
const body = () => document.getElementById('shift-body');
const base = (code) => `/api/v1/stations/${encodeURIComponent(code)}/shift`;

function section(titleKey, ...children) {
  return el('section', { class: 'shift-part' }, el('h3', {}, t(titleKey)), ...children);
}

function button(act, key, cls = '', extra = {}) {
  return el('button', { type: 'button', class: `btn ${cls}`, 'data-act': act, ...extra }, t(key));
}

function dutyPart(state) {
  const me = username();
  const list = state.on_duty.length
    ? el('ul', { class: 'plain shift-duty' }, state.on_duty.map((d) => el('li', { 'data-user': d.username },
      el('b', {}, d.display_name), ' ', el('span', { class: 'muted' }, `${d.username}${d.username === me ? ` · ${t('shift.you')}` : ''}`),
      ' ', el('span', { class: 'muted' }, t('shift.since', { at: formatDateTime(d.started_at) })))))
    : el('p', { class: 'muted' }, t('shift.nobody'));
  const act = can('incident.act')
    ? (state.you_on_duty ? button('off', 'shift.go_off') : button('on', 'shift.go_on', 'primary'))
    : null;
  return section('shift.on_duty', list, act);
}

function carriedPart(carried) {
  const parts = [];
  if (carried.incidents.length) {
    parts.push(el('h4', {}, t('shift.carried_incidents', { n: carried.incidents.length })),
      el('ul', { class: 'plain carried-incidents' }, carried.incidents.map((i) => el('li', {},
        el('span', { class: `prio p${i.priority}` }, `P${i.priority}`), ' ', pick(i, 'title'), ' ',
        el('span', { class: `badge state-${i.state}` }, t(`state.${i.state}`)), ' ',
        el('span', { class: 'muted' }, t('shift.open_for', { age: formatAge(i.opened_at, new Date(carried.as_of).getTime()) }))))));
  }
  if (carried.units_out_of_service.length) {
    parts.push(el('h4', {}, t('shift.carried_units', { n: carried.units_out_of_service.length })),
      el('ul', { class: 'plain carried-units' }, carried.units_out_of_service.map((u) => el('li', {},
        el('b', {}, u.callsign), ` (${u.code}) `, u.reason ? `· ${u.reason} ` : '',
        el('span', { class: 'muted' }, t('shift.since', { at: formatDateTime(u.since) }))))));
  }
  if (carried.cameras_down.length) {
    parts.push(el('h4', {}, t('shift.carried_cameras', { n: carried.cameras_down.length })),
      el('ul', { class: 'plain carried-cameras' }, carried.cameras_down.map((c) => el('li', {},
        c.code, ' ', el('span', { class: 'badge warn' }, t(`camstat.${c.state}`))))));
  }
  return el('div', { class: 'carried' }, parts.length ? parts : el('p', { class: 'muted' }, t('shift.nothing_open')));
}

function handoverCard(h, state, pending) {
  const me = username();
  const head = el('p', { class: 'handover-head' }, t('shift.handover_by', { who: h.written_by, at: formatDateTime(h.written_at) }));
  const parts = [head, el('p', { class: 'note' }, h.notes), el('h4', {}, t('shift.carried')), carriedPart(h.carried)];
  if (!pending) {
    parts.push(el('p', { class: 'muted' }, t('shift.acked', { who: h.acknowledged_by, at: formatDateTime(h.acknowledged_at) })),
      h.ack_note ? el('p', { class: 'note' }, h.ack_note) : null);
  } else if (h.written_by === me) {
    parts.push(el('p', { class: 'muted' }, t('shift.own_pending')));
  } else if (can('incident.act') && state.you_on_duty) {
    parts.push(el('form', { class: 'shift-ack', 'data-id': h.id },
      el('label', { for: `ack-${h.id}` }, t('shift.ack_note')),
      el('input', { id: `ack-${h.id}`, name: 'note', maxlength: 2000, autocomplete: 'off' }),
      el('button', { type: 'submit', class: 'btn primary' }, t('shift.ack'))));
  } else if (can('incident.act')) {
    parts.push(el('p', { class: 'muted' }, t('shift.ack_need_duty')));
  }
  return el('article', { class: `handover${pending ? ' pending' : ''}`, 'data-id': h.id }, parts);
}

function handoverPart(state) {
  const parts = [];
  if (state.pending_handovers.length) {
    parts.push(section('shift.pending', state.pending_handovers.map((h) => handoverCard(h, state, true))));
  }
  const done = state.handovers_today.filter((h) => h.acknowledged_at);
  if (done.length) parts.push(section('shift.today_handovers', done.map((h) => handoverCard(h, state, false))));
  if (!can('incident.act')) return parts;
  const mine = state.pending_handovers.some((h) => h.written_by === username());
  if (!state.you_on_duty) {
    parts.push(section('shift.handover', el('p', { class: 'muted' }, t('shift.handover_need_duty'))));
  } else if (!mine) {
    parts.push(section('shift.handover',
      el('form', { id: 'shift-handover' },
        el('label', { for: 'shift-handover-notes' }, t('shift.handover_notes')),
        el('textarea', { id: 'shift-handover-notes', name: 'notes', rows: 4, maxlength: 4000, required: true }),
        el('p', { class: 'muted small' }, t('shift.handover_hint')),
        carriedPart(state.open_items),
        el('button', { type: 'submit', class: 'btn primary' }, t('shift.handover')))));
  }
  return parts;
}

function entryForm(code) {
  const incidents = [...store.incidents.values()]
    .filter((i) => OPEN_STATES.includes(i.state) && store.stations.find((s) => s.code === code)?.id === i.station_id)
    .sort((a, b) => a.priority - b.priority || new Date(a.opened_at) - new Date(b.opened_at));
  return el('form', { id: 'shift-entry', class: 'shift-entry' },
    el('div', { class: 'shift-fields' },
      el('label', { for: 'shift-entry-kind' }, t('shift.entry_kind')),
      el('select', { id: 'shift-entry-kind', name: 'kind' },
        el('option', { value: 'note' }, t('shift.kind.note')), el('option', { value: 'event' }, t('shift.kind.event'))),
      el('label', { for: 'shift-entry-incident' }, t('shift.entry_incident')),
      el('select', { id: 'shift-entry-incident', name: 'incident' },
        el('option', { value: '' }, t('shift.no_incident')),
        incidents.map((i) => el('option', { value: i.id }, `P${i.priority} ${pick(i, 'title')}`)))),
    el('label', { for: 'shift-entry-text' }, t('shift.entry_text')),
    el('textarea', { id: 'shift-entry-text', name: 'text', rows: 2, maxlength: 2000, required: true }),
    el('button', { type: 'submit', class: 'btn' }, t('shift.add')));
}

function entryText(e) {
  if (e.kind === 'incident_escalated') return t('shift.level', { n: (e.text || '').replace(/\D+/g, '') });
  return e.text || '';
}

function logPart(code, log) {
  const rows = [...log.entries].reverse(); // newest first: what just happened is on top
  return section('shift.log', can('incident.act') ? entryForm(code) : null,
    rows.length ? el('ol', { class: 'plain shift-log' }, rows.map((e) => el('li', { 'data-kind': e.kind },
      el('time', { class: 'muted' }, formatDateTime(e.at)), ' ', el('b', {}, e.username), ' ',
      el('span', { class: `badge kind-${e.kind}` }, t(`shift.kind.${e.kind}`)), ' ',
      el('span', { class: 'text' }, entryText(e)),
      e.incident_id ? el('span', { class: 'muted incident' }, ` · ${pick(e, 'incident_title')}`) : null)))
      : el('p', { class: 'muted' }, t('shift.empty_log')));
}

function render() {
  if (!data) return;
  const { code, state, log } = data;
  document.getElementById('shift-title').textContent = `${t('shift.title')} · ${code}`;
  body().replaceChildren(
    el('div', { class: 'shift-top' },
      el('p', { class: 'muted shift-day' }, t('shift.day', { from: formatDateTime(state.today.starts_at), to: formatDateTime(state.today.ends_at) })),
      button('report', 'shift.report', 'small')),
    dutyPart(state), ...handoverPart(state), logPart(code, log));
  showBadge(state);
}

// The panel's button says how many handovers wait, whatever view the sheet was closed in.
function showBadge(state) {
  const open = document.getElementById('shift-open');
  if (!open) return;
  const n = state.pending_handovers.length;
  // replaceChildren writes a null as the text "null": only what there is goes in.
  open.replaceChildren(...[t('shift.open'), n ? el('span', { class: 'badge alert', 'data-pending': n }, t('shift.pending_count', { n })) : null].filter(Boolean));
}

async function load() {
  const code = store.station;
  if (!code) return;
  const [state, log] = await Promise.all([api(base(code)), api(`${base(code)}/log`)]);
  data = { code, state, log };
  if (sheet().open) render();
  else showBadge(state);
}

export async function refreshShiftBadge() {
  if (!store.station || busy) return;
  try {
    const state = await api(base(store.station));
    if (data?.code === store.station && !sheet().open) data.state = state;
    showBadge(state);
  } catch { /* the panel shows the connection's state; the badge waits for the next try */ }
}

async function act(work, doneKey) {
  if (busy) return;
  busy = true;
  try {
    await work();
    toast(t(doneKey), 'ok');
    await load();
  } catch (err) {
    toast(err.message, 'error');
  } finally {
    busy = false;
  }
}

async function report() {
  const code = data?.code || store.station;
  const day = data?.state.today.day || '';
  try {
    await downloadFile(`${base(code)}/report.pdf?day=${encodeURIComponent(day)}&lang=${currentLang()}`,
      `daily-${code}-${day}.pdf`);
  } catch (err) {
    toast(err.message, 'error');
  }
}

function onClick(event) {
  const target = event.target.closest('button[data-act]');
  if (!target || !data) return;
  const { code } = data;
  const what = target.dataset.act;
  if (what === 'on') act(() => api(`${base(code)}/on-duty`, { method: 'POST' }), 'shift.done_on');
  if (what === 'off') act(() => api(`${base(code)}/off-duty`, { method: 'POST', json: {} }), 'shift.done_off');
  if (what === 'report') report();
}

const value = (form, name) => form.elements.namedItem(name).value;

function onSubmit(event) {
  const form = event.target;
  if (!data) return;
  event.preventDefault();
  const { code } = data;
  if (form.id === 'shift-entry') {
    const json = { kind: value(form, 'kind'), text: value(form, 'text').trim() };
    if (value(form, 'incident')) json.incident_id = value(form, 'incident');
    if (!json.text) return;
    act(() => api(`${base(code)}/log`, { method: 'POST', json }), 'shift.done_entry');
  } else if (form.id === 'shift-handover') {
    const notes = value(form, 'notes').trim();
    if (!notes) return;
    act(() => api(`${base(code)}/handovers`, { method: 'POST', json: { notes } }), 'shift.done_handover');
  } else if (form.classList.contains('shift-ack')) {
    const note = value(form, 'note').trim();
    act(() => api(`/api/v1/shift-handovers/${encodeURIComponent(form.dataset.id)}/acknowledge`,
      { method: 'POST', json: note ? { note } : {} }), 'shift.done_ack');
  }
}

export async function openShift() {
  showDialog('shift');
  clearInterval(timer);
  // No live feed carries the shift: while the sheet is open, it reads again every 15 s.
  timer = setInterval(() => { if (!busy) load().catch(() => {}); }, 15000);
  try {
    await load();
    render();
  } catch (err) {
    toast(err.message, 'error');
  }
}

export function bindShift() {
  document.getElementById('shift-open').addEventListener('click', openShift);
  document.getElementById('shift-close').addEventListener('click', () => sheet().close());
  sheet().addEventListener('close', () => clearInterval(timer));
  body().addEventListener('click', onClick);
  body().addEventListener('submit', onSubmit);
  onLangChange(() => {
    if (!data) document.getElementById('shift-open').textContent = t('shift.open');
    else if (sheet().open) render();
    else showBadge(data.state);
  });
}
