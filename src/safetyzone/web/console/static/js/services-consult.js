// Legal consultation at the station's desk (ตำรวจพร้อมปรึกษาข้อกฎหมาย): the chosen
// station's consultants (add by username, remove), their slots (a series made at once,
// closing one), and the booked requests with topic, channel and time (B.E.), cancelled by
// the station with the reason the citizen is told. A request's private notes are shown only
// to a consultant of the station (the server refuses everyone else, and audits every read),
// so the notes panel exists only for them.
import { formatDateTime, formatTime, t } from './i18n.js';
import { api } from './session.js';
import { can, store } from './store.js';
import { el, toast } from './ui.js';
import { button, card, confirmAction, dateWithEcho, field, input, refused } from './services-ui.js';

const PATH = '/api/v1/consult';
const CHANNELS = ['station', 'post', 'phone', 'video'];
const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const SLOT_DAYS = 60;
const MAX_SERIES = 120; // slots one series may ask for (each is one request) // slots shown: from now to this many days ahead
const state = { consultants: [], slots: [], requests: [], show: 'booked', opened: null, notes: null };
let rerender = () => {};

export const consultProbe = state; // for the browser tests

export function allowed() { return can('ops.read'); }
const manages = () => can('consult.manage');

// A consultant of the chosen station reads and writes notes; nobody else is offered them.
export function isConsultant() {
  return can('consult.notes') && state.consultants.some((c) => c.active && c.username === store.me?.username);
}

export async function loadConsult(onChange) {
  rerender = onChange;
  if (!allowed() || !store.station) return;
  const station = encodeURIComponent(store.station);
  const since = new Date();
  const until = new Date(since.getTime() + SLOT_DAYS * 86400000);
  const filter = state.show === 'all' ? '' : `&state=${state.show}`;
  const [consultants, slots, requests] = await Promise.all([
    api(`${PATH}/consultants?station_code=${station}`),
    api(`${PATH}/slots?station_code=${station}&since=${encodeURIComponent(since.toISOString())}&until=${encodeURIComponent(until.toISOString())}`),
    manages() ? api(`${PATH}/requests?station_code=${station}${filter}`) : [],
  ]);
  state.consultants = consultants.filter((c) => c.active);
  state.slots = slots.sort((a, b) => new Date(a.starts_at) - new Date(b.starts_at));
  state.requests = requests;
  if (state.opened) {
    state.opened = requests.find((r) => r.id === state.opened.id) || (state.opened.station_code === store.station ? state.opened : null);
  }
}

const when = (x) => `${formatDateTime(x.starts_at)}–${formatTime(x.ends_at).slice(0, 5)}`;
const channels = (list) => list.map((c) => t(`consult.channel.${c}`)).join(', ');

async function reload() {
  await loadConsult(rerender).catch(refused);
  rerender();
}

// -- consultants -----------------------------------------------------------------------

async function removeConsultant(c) {
  const ok = await confirmAction({ title: t('consult.remove_title', { name: c.display_name }),
    text: t('consult.remove_text'), confirmKey: 'consult.remove' });
  if (!ok) return;
  try {
    await api(`${PATH}/consultants/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
    toast(t('consult.removed', { name: c.display_name }), 'ok');
  } catch (err) { refused(err); }
  await reload();
}

function consultantsCard() {
  const who = input({ maxlength: 64, id: 'consult-username', autocomplete: 'off' });
  const add = button('consult.add', async () => {
    try {
      await api(`${PATH}/consultants`, { method: 'POST', json: { station_code: store.station, username: who.value.trim() } });
      toast(t('consult.added', { name: who.value.trim() }), 'ok');
      who.value = '';
    } catch (err) { refused(err); return; }
    await reload();
  }, 'primary', { 'data-add-consultant': '' });
  return card('consult.consultants', 'consult-consultants',
    state.consultants.length ? el('ul', { class: 'plain svc-list' }, state.consultants.map((c) => el('li', { 'data-username': c.username },
      el('div', { class: 'row' }, el('b', {}, c.display_name), el('span', { class: 'muted' }, c.username),
        c.username === store.me?.username ? el('span', { class: 'badge' }, t('consult.you')) : null,
        manages() ? button('consult.remove', () => removeConsultant(c), '', { 'data-remove': c.username }) : null))))
      : el('p', { class: 'muted' }, t('consult.no_consultants')),
    manages() ? el('div', { class: 'svc-form inline' }, field('consult.username', who), add) : null);
}

// -- slots -----------------------------------------------------------------------------

function tomorrow() {
  const day = new Date(Date.now() + 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Bangkok' }).format(day); // YYYY-MM-DD
}

// The series asked for: `perDay` slots one after another from `start`, on `days` days from
// `first` (weekdays only if asked), each `minutes` long; Bangkok time.
export function series({ first, start, minutes, perDay, days, weekdaysOnly }) {
  const out = [];
  const base = new Date(`${first}T${start}:00+07:00`).getTime();
  if (Number.isNaN(base)) return out;
  for (let d = 0, counted = 0; counted < days && d < days + 14; d += 1) {
    const dayStart = base + d * 86400000;
    const weekday = new Date(dayStart + 7 * 3600000).getUTCDay(); // Bangkok's day of the week
    if (weekdaysOnly && (weekday === 0 || weekday === 6)) continue;
    counted += 1;
    for (let i = 0; i < perDay; i += 1) {
      const starts = dayStart + i * minutes * 60000;
      out.push({ starts_at: new Date(starts).toISOString(), ends_at: new Date(starts + minutes * 60000).toISOString() });
    }
  }
  return out;
}

function slotForm() {
  const who = el('select', { id: 'slot-consultant' }, state.consultants.map((c) => el('option', { value: c.id }, c.display_name)));
  const { picker: first, echo } = dateWithEcho({ id: 'slot-first', value: tomorrow() });
  // HH:MM typed, not a time picker: the picker would show AM/PM in some locales.
  const start = input({ id: 'slot-start', value: '09:00', maxlength: 5, placeholder: 'HH:MM' });
  const minutes = input({ type: 'number', id: 'slot-minutes', min: 10, max: 240, value: 30 });
  const perDay = input({ type: 'number', id: 'slot-per-day', min: 1, max: 16, value: 1 });
  const days = input({ type: 'number', id: 'slot-days', min: 1, max: 31, value: 1 });
  const weekdays = el('input', { type: 'checkbox', id: 'slot-weekdays', checked: true });
  const boxes = CHANNELS.map((c) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', 'data-channel': c, checked: c === 'station' || c === 'phone' }), t(`consult.channel.${c}`)));
  const video = input({ id: 'slot-video', maxlength: 300, placeholder: 'https://' });
  const make = button('consult.make_slots', async () => {
    const chosen = boxes.map((b) => b.querySelector('input')).filter((b) => b.checked).map((b) => b.dataset.channel);
    const wanted = series({ first: first.value, start: start.value, minutes: Number(minutes.value),
      perDay: Number(perDay.value), days: Number(days.value), weekdaysOnly: weekdays.checked });
    if (!who.value || !first.value || !HHMM.test(start.value) || !wanted.length) { toast(t('consult.slot_incomplete'), 'error'); return; }
    if (wanted.length > MAX_SERIES) { toast(t('consult.slots_too_many', { n: wanted.length, max: MAX_SERIES }), 'error'); return; }
    make.disabled = true;
    let made = 0;
    let failure = null;
    for (const slot of wanted) {
      try {
        await api(`${PATH}/slots`, { method: 'POST', json: { consultant_id: who.value, ...slot, channels: chosen,
          ...(video.value.trim() ? { video_url: video.value.trim() } : {}) } });
        made += 1;
      } catch (err) { failure = failure || err; }
    }
    make.disabled = false;
    if (made) toast(t('consult.slots_made', { n: made }), 'ok');
    if (failure) toast(t('consult.slots_refused', { n: wanted.length - made, why: failure.message }), 'error');
    await reload();
  }, 'primary', { 'data-make-slots': '' });
  return card('consult.new_slots', 'consult-new-slots',
    el('div', { class: 'svc-form' },
      field('consult.consultant', who), field('consult.first_day', first, echo), field('consult.start', start),
      field('consult.minutes', minutes), field('consult.per_day', perDay), field('consult.days', days),
      el('label', { class: 'check' }, weekdays, t('consult.weekdays_only')),
      el('fieldset', { class: 'svc-channels' }, el('legend', {}, t('consult.channels')), boxes),
      field('consult.video_url', video), make));
}

async function closeSlot(slot) {
  const reason = await confirmAction({ title: t('consult.close_slot_title', { when: when(slot) }),
    text: t(slot.state === 'booked' ? 'consult.close_booked_text' : 'consult.close_slot_text'),
    confirmKey: 'consult.close_slot', reason: 'consult.reason', min: 1,
    value: slot.state === 'booked' ? '' : t('consult.close_slot_default') });
  if (!reason) return;
  try {
    await api(`${PATH}/slots/${encodeURIComponent(slot.id)}/cancel`, { method: 'POST', json: { reason } });
    toast(t('consult.slot_closed'), 'ok');
  } catch (err) { refused(err); }
  await reload();
}

function slotsCard() {
  const live = state.slots.filter((s) => s.state !== 'cancelled');
  return card('consult.slots', 'consult-slots',
    live.length ? el('div', { class: 'svc-scroll' }, el('table', { class: 'grid svc-table consult-slot-table' },
      el('thead', {}, el('tr', {}, ...['when', 'consultant', 'channels', 'state', ''].map((k) => el('th', {}, k ? t(`consult.col.${k}`) : '')))),
      el('tbody', {}, live.map((s) => el('tr', { 'data-slot': s.id, 'data-state': s.state, 'data-starts': s.starts_at },
        el('th', {}, when(s)), el('td', {}, s.consultant), el('td', {}, channels(s.channels)),
        el('td', {}, el('span', { class: `badge slot-state ${s.state}` }, t(`consult.slot_state.${s.state}`)), s.request_code ? ` ${s.request_code}` : ''),
        el('td', {}, manages() ? button('consult.close_slot', () => closeSlot(s), '', { 'data-close-slot': s.id }) : null))))))
      : el('p', { class: 'muted' }, t('consult.no_slots')));
}

// -- requests and notes ----------------------------------------------------------------

async function openRequest(request) {
  state.opened = request;
  state.notes = null;
  rerender();
  if (!isConsultant()) return;
  try {
    state.notes = await api(`${PATH}/requests/${encodeURIComponent(request.id)}/notes`);
  } catch (err) { refused(err); }
  rerender();
}

async function cancelRequest(request) {
  const reason = await confirmAction({ title: t('consult.cancel_title', { code: request.code }),
    text: t('consult.cancel_text'), confirmKey: 'consult.cancel', reason: 'consult.reason', min: 1 });
  if (!reason) return;
  try {
    state.opened = await api(`${PATH}/requests/${encodeURIComponent(request.id)}/cancel`, { method: 'POST', json: { reason } });
    toast(t('consult.cancelled', { code: request.code }), 'ok');
  } catch (err) { refused(err); }
  await reload();
}

function requestsCard() {
  const show = el('select', { id: 'consult-show', 'aria-label': t('consult.show') },
    el('option', { value: 'booked' }, t('consult.state.booked')), el('option', { value: 'all' }, t('consult.all')));
  show.value = state.show;
  show.addEventListener('change', async () => { state.show = show.value; await reload(); });
  return card('consult.requests', 'consult-requests',
    el('div', { class: 'row svc-toolbar' }, show),
    state.requests.length ? el('div', { class: 'svc-scroll' }, el('table', { class: 'grid svc-table consult-request-table' },
      el('thead', {}, el('tr', {}, ...['code', 'when', 'topic', 'channel', 'name', 'state', ''].map((k) => el('th', {}, k ? t(`consult.col.${k}`) : '')))),
      el('tbody', {}, state.requests.map((r) => el('tr', { 'data-code': r.code, 'data-state': r.state, class: state.opened?.id === r.id ? 'opened' : '' },
        el('th', { class: 'code' }, r.code), el('td', {}, when(r)), el('td', {}, t(`consult.topic.${r.topic}`)),
        el('td', {}, t(`consult.channel.${r.channel}`)), el('td', {}, r.name || t('consult.erased')),
        el('td', {}, t(`consult.state.${r.state}`)),
        el('td', {}, button('consult.open', () => openRequest(r), '', { 'data-open': r.code })))))))
      : el('p', { class: 'muted' }, t('consult.no_requests')));
}

function notesPanel(request) {
  const text = el('textarea', { id: 'consult-note', rows: 3, maxlength: 4000 });
  const add = button('consult.add_note', async () => {
    if (!text.value.trim()) return;
    try {
      const note = await api(`${PATH}/requests/${encodeURIComponent(request.id)}/notes`, { method: 'POST', json: { text: text.value } });
      state.notes = [...(state.notes || []), note];
      toast(t('consult.note_added'), 'ok');
    } catch (err) { refused(err); }
    rerender();
  }, 'primary', { 'data-add-note': '' });
  return el('section', { class: 'consult-notes inc-section' },
    el('h4', {}, t('consult.notes')), el('p', { class: 'muted' }, t('consult.notes_private')),
    state.notes === null ? el('p', { class: 'muted' }, t('svc.loading'))
      : !state.notes.length ? el('p', { class: 'muted', 'data-notes': 0 }, t('consult.no_notes'))
      : el('ol', { class: 'plain timeline', 'data-notes': state.notes.length }, state.notes.map((n) => el('li', { 'data-note': n.id },
        el('time', {}, formatDateTime(n.at)), el('span', { class: 'who' }, n.author), el('span', { class: 'note-text' }, n.text)))),
    el('div', { class: 'note-form' }, el('label', { for: 'consult-note', class: 'sr-only' }, t('consult.note')), text, add));
}

function detailCard() {
  const r = state.opened;
  if (!r || r.station_code !== store.station) return null;
  const pairs = [['consult.col.when', when(r)], ['consult.col.topic', t(`consult.topic.${r.topic}`)],
    ['consult.col.channel', t(`consult.channel.${r.channel}`)], ['consult.col.consultant', r.consultant],
    ['consult.col.name', r.name], ['consult.phone', r.phone], ['consult.question', r.question],
    ['consult.taken_by', r.taken_by], ['consult.col.state', t(`consult.state.${r.state}`)],
    ['consult.reason', r.cancel_reason]].filter(([, v]) => v);
  return card('consult.request', 'consult-detail',
    el('div', { class: 'row' }, el('b', { class: 'code' }, r.code)),
    el('dl', { class: 'inc-meta' }, pairs.map(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)]).flat()),
    r.state === 'booked' && manages() ? el('div', { class: 'inc-actions' },
      button('consult.cancel', () => cancelRequest(r), 'danger', { 'data-cancel-request': r.code })) : null,
    isConsultant() ? notesPanel(r) : null);
}

export function renderConsult() {
  return el('div', { class: 'svc-grid consult' },
    el('div', { class: 'svc-col' }, manages() ? requestsCard() : null, detailCard(), slotsCard()),
    el('div', { class: 'svc-col' }, consultantsCard(), manages() && state.consultants.length ? slotForm() : null));
}
