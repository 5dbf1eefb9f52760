// A ticket's live status page, reached by its code: steps, the unit coming and its ETA, the
// station's messages, a reply box when the station asks. It polls: every 5 s after a change,
// slowing to every 30 s while nothing changes, paused while the page is hidden. The last view
// is kept on the phone, so the page still says something offline. For an open emergency
// sent from this phone it also sends later fixes (a trail: they never move the case).
import { call, errorText, send } from './api.js';
import { label, statusLabel } from './catalog.js';
import { $, el, telUrl, toast } from '/pwa/static/js/dom.js';
import { formatDateTime, formatDistance, pick, t } from '/pwa/static/js/i18n.js';
import { VoiceNote, refuse, upload } from './media.js';
import { fromPosition } from './place.js';
import { recall, remember, saveTicket, ticket } from './store.js';

const FIRST_MS = 5000;
const LONGEST_MS = 30000;
const STEPS = {
  emergency: ['new', 'acknowledged', 'dispatched', 'on_scene', 'closed'],
  other: ['new', 'acknowledged', 'in_progress', 'closed'],
};
const SAME_STEP = { en_route: 'dispatched', cleared: 'closed', received: 'new', info_requested: 'acknowledged' };
const ENDED = new Set(['closed', 'cleared']);

let code = null;
let timer = null;
let delay = FIRST_MS;
let seen = null;
let trail = null;
let voice = null;

function mine() { return code ? ticket(code) : null; }

function step(kind, status) {
  const list = STEPS[kind === 'emergency' ? 'emergency' : 'other'];
  const name = SAME_STEP[status] || status;
  return { list, index: list.indexOf(name) };
}

function unitLine(data) {
  const { unit } = data;
  if (!unit) return null;
  const here = data.status === 'on_scene';
  return el('div', { class: 'card unit', id: 'ticket-unit' },
    el('p', { class: 'unit-name' }, t(here ? 'ticket.unit.here' : 'ticket.unit', { callsign: unit.callsign })),
    !here && unit.eta_min !== null && unit.eta_min !== undefined ? el('p', { class: 'eta' }, t('ticket.eta', { n: Math.max(1, Math.round(unit.eta_min)) })) : null,
    !here && unit.distance_m !== null && unit.distance_m !== undefined ? el('p', { class: 'muted' }, t('ticket.distance', { distance: formatDistance(unit.distance_m) })) : null);
}

function stepList(data) {
  const { list, index } = step(data.kind, data.status);
  const times = {};
  for (const s of data.steps || []) {
    const { list: l, index: i } = step(data.kind, s.status);
    if (i >= 0 && !times[l[i]]) times[l[i]] = s.at;
  }
  return el('ol', { class: 'steps', 'aria-label': t('ticket.steps') }, ...list.map((name, i) => el('li', {
    class: i < index ? 'done' : i === index ? 'now' : 'todo', 'data-step': name,
  }, el('span', {}, t(`status.${name}`)), times[name] ? el('small', {}, formatDateTime(times[name])) : null)));
}

// The station's messages and the citizen's answers, oldest first (also under a tip's follow-up).
export function messageList(list) {
  return el('ul', { class: 'plain msgs' }, ...list.map((m) => el('li', { class: `msg ${m.direction}${m.ask_info ? ' ask' : ''}` },
    el('small', { class: 'muted' }, `${m.direction === 'to_citizen' ? t('ticket.from.police') : t('ticket.from.you')} · ${formatDateTime(m.at)}`),
    el('p', {}, m.text))));
}

function messages(data) {
  const list = data.messages || [];
  if (!list.length) return null;
  return el('div', { class: 'card', id: 'ticket-messages' }, el('h3', {}, t('ticket.messages')), messageList(list));
}

function render(data, keptAt = null) {
  const own = mine();
  const ended = ENDED.has(data.status);
  const category = data.kind === 'report' ? label('categories', data.category) : '';
  const head = [
    el('p', { class: 'kind' }, t(`kind.${data.kind}`), category ? ` · ${category}` : ''),
    el('p', { class: `status-now s-${data.status}`, id: 'ticket-status', 'data-status': data.status },
      (data.status_th && pick({ th: data.status_th, en: data.status_en })) || statusLabel(data.status)),
  ];
  const body = [];
  if (data.kind === 'tip') head.push(el('p', { class: 'muted' }, t('ticket.tip.note')));
  else {
    if (data.merged_into) {
      head.push(el('div', { class: 'card' }, el('p', {}, t('ticket.merged', { code: data.merged_into })),
        el('a', { class: 'btn wide', href: `/citizen/t/${encodeURIComponent(data.merged_into)}`, 'data-go': `t/${data.merged_into}` },
          t('ticket.open_target', { code: data.merged_into }))));
    }
    if (data.disposition) {
      head.push(el('div', { class: 'card', id: 'ticket-disposition' }, el('h3', {}, t('ticket.disposition')), el('p', {}, pick(data.disposition))));
    }
    head.push(unitLine(data), messages(data));
    body.push(stepList(data));
    if (data.joined) body.push(el('p', { class: 'muted' }, t('ticket.joined', { n: data.joined })));
    if (data.station) {
      body.push(el('div', { class: 'card' }, el('h3', {}, t('ticket.station')), el('p', {}, pick(data.station, 'name')),
        data.station.phone ? el('a', { class: 'btn call wide', href: telUrl(data.station.phone) }, t('station.call', { phone: data.station.phone })) : null));
    }
  }
  if (own) body.push(el('a', { class: 'btn wide', href: '/citizen#data', 'data-go': 'data', 'data-code': data.code }, t('ticket.mydata')));
  $('#ticket-head').replaceChildren(...head.filter(Boolean));
  $('#ticket-body').replaceChildren(...body.filter(Boolean));
  $('#ticket-fresh').textContent = keptAt ? t('ticket.offline', { time: formatDateTime(keptAt) })
    : t('ticket.updated', { time: formatDateTime(data.updated_at || new Date()) });
  const asked = (data.messages || []).filter((m) => m.direction === 'to_citizen').at(-1);
  $('#reply-form').hidden = !(own && asked && asked.ask_info && !ended
    && !(data.messages || []).some((m) => m.direction === 'from_citizen' && m.at > asked.at));
  $('#ticket-attach').hidden = !(own && data.kind !== 'tip' && !ended && !data.merged_into);
  $('#ticket-voice').hidden = data.kind !== 'emergency';
  if (own && data.kind === 'emergency' && !ended) startTrail(); else stopTrail();
  if (own) saveTicket({ code: data.code, status: data.status });
}

async function poll() {
  clearTimeout(timer);
  if (!code || document.hidden) return;
  const asked = code;
  try {
    // With this phone's key the station's messages come too (they are for the sender only).
    const data = await call(`/tickets/${encodeURIComponent(asked)}`, { key: mine()?.key, timeout: 15000 });
    if (asked !== code) return;
    const stamp = JSON.stringify(data);
    delay = stamp === seen ? Math.min(delay * 1.5, LONGEST_MS) : FIRST_MS;
    seen = stamp;
    remember(`view.${asked}`, { data, at: new Date().toISOString() });
    render(data);
    if (data.status === 'closed' && !data.merged_into) return; // nothing more will change
  } catch (err) {
    if (asked !== code) return;
    if (err.status === 404) {
      $('#ticket-head').replaceChildren(el('p', { class: 'error' }, t('ticket.notfound')));
      $('#ticket-body').replaceChildren();
      $('#ticket-fresh').textContent = '';
      return;
    }
    const kept = recall(`view.${asked}`);
    if (kept) render(kept.data, kept.at);
    else $('#ticket-fresh').textContent = errorText(err);
    delay = Math.min(delay * 1.5, LONGEST_MS);
  }
  timer = setTimeout(poll, delay);
}

export function pollNow() { delay = FIRST_MS; poll(); }

// Later fixes from the phone: batched, at most every 15 s, only when it moved or got sharper.
function startTrail() {
  if (trail || !navigator.geolocation) return;
  const own = mine();
  trail = { pending: [], last: null, code };
  trail.watch = navigator.geolocation.watchPosition((pos) => {
    const fix = fromPosition(pos);
    const last = trail?.last;
    if (last && Math.hypot((fix.lat - last.lat) * 111320, (fix.lon - last.lon) * 108000) < 15
      && fix.accuracy_m >= last.accuracy_m) return;
    trail.last = fix;
    trail.pending = [...trail.pending, fix].slice(-50);
  }, () => {}, { enableHighAccuracy: true, maximumAge: 10000 });
  trail.timer = setInterval(async () => {
    if (!trail || !trail.pending.length) return;
    const fixes = trail.pending;
    trail.pending = [];
    try {
      await send(`/emergencies/${encodeURIComponent(trail.code)}/fixes`, { fixes }, { key: own.key, attempts: 1 });
    } catch {
      if (trail) trail.pending = [...fixes, ...trail.pending].slice(-50);
    }
  }, 15000);
  $('#ticket-tracking').hidden = false;
}

function stopTrail() {
  if (!trail) return;
  $('#ticket-tracking').hidden = true;
  navigator.geolocation.clearWatch(trail.watch);
  clearInterval(trail.timer);
  trail = null;
}

async function sendFile(file) {
  const own = mine();
  const status = $('#ticket-attach-status');
  delete status.dataset.i18n;
  status.textContent = t('upload.progress', { i: 1, n: 1 });
  try {
    await upload(code, own.key, file);
    status.dataset.i18n = 'upload.done'; // says it again in the other language
    status.textContent = t('upload.done');
    toast(t('upload.done'), 'ok');
  } catch (err) {
    status.textContent = t('upload.failed', { name: errorText(err) });
  }
}

async function toggleVoice() {
  const button = $('#ticket-voice');
  if (voice) {
    const file = await voice.stop();
    voice = null;
    button.textContent = t('ticket.voice');
    await sendFile(file);
    return;
  }
  if (!VoiceNote.supported()) { $('#ticket-attach-status').textContent = t('ticket.voice.none'); return; }
  voice = new VoiceNote();
  try {
    await voice.start((s) => { button.textContent = t('ticket.voice.stop', { s }); });
    button.textContent = t('ticket.voice.stop', { s: 0 });
  } catch {
    voice = null;
    $('#ticket-attach-status').textContent = t('ticket.voice.none');
  }
}

async function reply(event) {
  event.preventDefault();
  const form = $('#reply-form');
  const text = $('#reply-text').value.trim();
  if (!text) return;
  try {
    await send(`/tickets/${encodeURIComponent(code)}/messages`, { text }, { key: mine().key, attempts: 2 });
    $('#reply-text').value = '';
    form.querySelector('.error').textContent = '';
    toast(t('ticket.reply.sent'), 'ok');
    pollNow();
  } catch (err) {
    form.querySelector('.error').textContent = errorText(err);
  }
}

export function initTicket() {
  $('#ticket-photo').addEventListener('change', (e) => {
    const [file] = e.target.files;
    e.target.value = '';
    if (!file) return;
    const reason = refuse(file);
    if (reason) toast(reason, 'error');
    else sendFile(file);
  });
  $('#ticket-voice').addEventListener('click', toggleVoice);
  $('#reply-form').addEventListener('submit', reply);
  document.addEventListener('visibilitychange', () => { if (!document.hidden && code) pollNow(); });
}

export function openTicket(wanted) {
  closeTicket();
  code = wanted;
  seen = null;
  $('#ticket-code').textContent = wanted;
  const kept = recall(`view.${wanted}`);
  if (kept) render(kept.data);
  else {
    $('#ticket-head').replaceChildren();
    $('#ticket-body').replaceChildren();
  }
  pollNow();
}

export function closeTicket() {
  clearTimeout(timer);
  stopTrail();
  code = null;
  $('#reply-form').hidden = true;
  $('#ticket-attach').hidden = true;
}

export function rerenderTicket() {
  const kept = code && recall(`view.${code}`);
  if (kept) render(kept.data);
}
