// Legal consultation (ปรึกษาข้อกฎหมาย): the station's free slots (GET /consult/slots), a
// topic and a channel (at the station, a volunteer post, by phone, by video), a day and a
// time, then book; the booking's page: the time in B.E., the channel, the video link while
// booked, what the station said, and cancel before it starts.
import { call, send } from './api.js';
import { $, el, telUrl, toast } from '/pwa/static/js/dom.js';
import { formatDate, formatDateTime, formatTime, pick, t } from '/pwa/static/js/i18n.js';
import { newKey, saveTicket } from './store.js';
import { StationChoice, consentBox, consented, fail, facts, problemText, statusPill } from './svc.js';

let station;
let offer = null; // the station's answer: topics, channels, posts, consent, slots
let draftKey = null;
let go = () => {};

const form = () => $('#consult-form');
const chosen = (name) => form().querySelector(`input[name=${name}]:checked`)?.value || '';
const DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Bangkok' });

async function loadSlots(found) {
  offer = null;
  $('#consult-slots').hidden = true;
  if (!found) return;
  try {
    offer = await call(`/consult/slots?${new URLSearchParams({ station_code: found.code })}`);
  } catch (err) {
    fail(form(), problemText(err));
    return;
  }
  renderOffer();
}

function renderOffer() {
  if (!offer) return;
  const topic = $('#consult-topic').value;
  $('#consult-topic').replaceChildren(el('option', { value: '' }, t('consult.topic.pick')),
    ...offer.topics.map((x) => el('option', { value: x.key, selected: x.key === topic }, pick(x))));
  const channel = chosen('channel');
  const offered = new Set(offer.slots.flatMap((s) => s.channels));
  $('#consult-channels').replaceChildren(...offer.channels.filter((x) => offered.has(x.key) && (x.key !== 'post' || offer.posts.length))
    .map((x) => el('label', { class: 'chip' }, el('input', { type: 'radio', name: 'channel', value: x.key, checked: x.key === channel }), el('span', {}, pick(x)))));
  const post = $('#consult-post').value;
  $('#consult-post').replaceChildren(...offer.posts.map((p) => el('option', { value: p.id, selected: p.id === post }, pick(p, 'name'))));
  consentBox($('#consult-consent'), offer.consent);
  $('#consult-slots').hidden = false;
  renderTimes();
}

function fitting() {
  const topic = $('#consult-topic').value;
  const channel = chosen('channel');
  return (offer ? offer.slots : []).filter((s) => (!channel || s.channels.includes(channel))
    && (!topic || !s.topics.length || s.topics.includes(topic)));
}

function dayLabel(day) {
  const date = new Date(`${day}T12:00:00+07:00`);
  return `${t('date.days').split(',')[date.getUTCDay()]} ${formatDate(day)}`;
}

function renderTimes() {
  $('#consult-post-box').hidden = chosen('channel') !== 'post';
  const slots = fitting();
  const days = [...new Set(slots.map((s) => DAY.format(new Date(s.starts_at))))];
  const day = days.includes($('#consult-day').value) ? $('#consult-day').value : days[0];
  $('#consult-day').replaceChildren(...days.map((d) => el('option', { value: d, selected: d === day }, dayLabel(d))));
  const slot = chosen('slot');
  $('#consult-times').replaceChildren(...slots.filter((s) => DAY.format(new Date(s.starts_at)) === day).map((s) => el('label', { class: 'chip' },
    el('input', { type: 'radio', name: 'slot', value: s.id, checked: s.id === slot }),
    el('span', {}, `${formatTime(s.starts_at)}–${formatTime(s.ends_at)}`))));
  $('#consult-none').hidden = slots.length > 0;
  $('#consult-day-box').hidden = !slots.length;
}

function valid() {
  const f = form();
  if (!station.value || !offer) return fail(f, t('service.station.needed'));
  if (!$('#consult-topic').value) return fail(f, t('consult.missing.topic'));
  if (!chosen('channel')) return fail(f, t('consult.missing.channel'));
  if (!chosen('slot')) return fail(f, t('consult.missing.slot'));
  if (!$('#consult-name').value.trim()) return fail(f, t('consult.missing.name'));
  if (!/^\+?[0-9][0-9 -]{5,19}$/.test($('#consult-phone').value.trim())) return fail(f, t('service.missing.phone'));
  if (!consented($('#consult-consent'))) return fail(f, t('consent.needed'));
  return !fail(f, '');
}

async function submit(event) {
  event.preventDefault();
  if (!valid()) return;
  const button = form().querySelector('button[type=submit]');
  button.disabled = true;
  button.textContent = t('form.sending');
  draftKey = draftKey || newKey();
  const body = {
    client_key: draftKey, slot_id: chosen('slot'), topic: $('#consult-topic').value, channel: chosen('channel'),
    name: $('#consult-name').value.trim(), phone: $('#consult-phone').value.trim(),
    consent: { version: $('#consult-consent').dataset.version },
  };
  if (body.channel === 'post') body.post_id = $('#consult-post').value;
  const question = $('#consult-question').value.trim();
  if (question) body.question = question;
  try {
    const result = await send('/consult/requests', body);
    saveTicket({ code: result.code, kind: 'consult', key: draftKey, at: new Date().toISOString(), status: result.state });
    draftKey = null;
    form().reset();
    offer = null;
    go(`/citizen/t/${result.code}`);
  } catch (err) {
    fail(form(), problemText(err, { conflict: t('consult.taken') }));
    if (err.status === 409) { draftKey = null; loadSlots(station.value); }
  } finally {
    button.disabled = false;
    button.textContent = t('form.send');
  }
}

async function cancel(code, own, refresh, button) {
  if (!window.confirm(t('consult.cancel.confirm', { code }))) return;
  button.disabled = true;
  try {
    await send(`/consult/requests/${encodeURIComponent(code)}/cancel`, undefined, { key: own.key, attempts: 2 });
    toast(t('consult.cancelled'), 'ok');
    refresh();
  } catch (err) {
    toast(problemText(err, { conflict: t('consult.cancel.late') }), 'error');
    button.disabled = false;
  }
}

export const consultView = {
  path: (code) => `/consult/requests/${encodeURIComponent(code)}`,
  final: (data) => data.state !== 'booked',
  render(data, own, refresh) {
    const booked = data.state === 'booked';
    const parts = [
      statusPill('consult', data.state),
      el('p', { class: 'when', id: 'consult-when' }, `${formatDateTime(data.starts_at)}–${formatTime(data.ends_at)}`),
      facts([
        [t('consult.topic'), pick(data.topic)],
        [t('consult.channel'), pick(data.channel)],
        [t('consult.station'), pick({ th: data.station_th, en: data.station_en })],
        data.post ? [t('consult.post'), pick(data.post, 'name')] : null,
        data.cancel_reason ? [t('consult.cancel_reason'), data.cancel_reason] : null,
      ]),
    ];
    if (booked && data.video_url) {
      parts.push(el('a', { class: 'btn primary wide', id: 'consult-video', href: data.video_url, rel: 'noopener', target: '_blank' }, t('consult.video')),
        el('p', { class: 'muted' }, t('consult.video.hint')));
    }
    if (booked && data.channel.key === 'phone') parts.push(el('p', { class: 'muted' }, t('consult.phone.hint')));
    if (data.station_phone) {
      parts.push(el('a', { class: 'btn call wide', href: telUrl(data.station_phone) }, t('station.call', { phone: data.station_phone })));
    }
    if (data.notices.length) {
      parts.push(el('div', { class: 'card', id: 'consult-notices' }, el('h3', {}, t('consult.notices')),
        el('ul', { class: 'plain msgs' }, ...data.notices.slice().reverse().map((n) => el('li', { class: 'msg to_citizen' },
          el('small', { class: 'muted' }, formatDateTime(n.at)), el('p', {}, pick(n)))))));
    }
    if (booked && own && new Date(data.starts_at) > new Date()) {
      const button = el('button', { type: 'button', class: 'btn danger wide', id: 'consult-cancel' }, t('consult.cancel'));
      button.addEventListener('click', () => cancel(data.code, own, refresh, button));
      parts.push(button);
    }
    return parts;
  },
};

export function initConsult(navigate) {
  go = navigate;
  station = new StationChoice($('[data-station=consult]'), { onChange: loadSlots });
  $('#consult-topic').addEventListener('change', renderTimes);
  $('#consult-channels').addEventListener('change', renderTimes);
  $('#consult-day').addEventListener('change', renderTimes);
  form().addEventListener('submit', submit);
}

export async function showConsult() {
  const before = station.value;
  await station.start(); // a station newly chosen loads its slots itself (onChange)
  if (!offer && station.value && station.value === before) loadSlots(station.value);
}

export function redrawConsult() {
  station.redraw();
  renderOffer();
}
