// Home watch (ฝากบ้าน): the house (address and a pin, with the app's place picker), the
// days away, who to call, notes, photos of the house and the consent text of
// GET /home-watch/terms; then the request's page: its state, each patrol visit as it
// happens (with the officer's photo), the LINE pin, and cancel (back early).
import { call, send } from './api.js';
import { $, el, toast } from '/pwa/static/js/dom.js';
import { formatDateTime, pick, t } from '/pwa/static/js/i18n.js';
import { refuse } from './media.js';
import { PlacePicker } from './place.js';
import { newKey, recall, remember, saveTicket } from './store.js';
import { blobUrl, consentBox, consented, echoDate, fail, facts, problemText, statusPill } from './svc.js';

const OPEN = new Set(['pending', 'approved']);
const MAX_CONTACTS = 3;
let terms = recall('homewatch.terms');
let picker;
let photos = []; // {file, url}
let draftKey = null;
let go = () => {};
const visitPhotos = new Map(); // visit id -> blob: URL, fetched once

const form = () => $('#homewatch-form');
const maxPhotos = () => (terms && terms.max_photos) || 3;

async function loadTerms() {
  try {
    terms = await call('/home-watch/terms', { timeout: 15000 });
    remember('homewatch.terms', terms);
  } catch { /* the kept copy, if any */ }
  renderTerms();
}

function renderTerms() {
  if (!terms) return;
  consentBox($('#homewatch-consent'), { th: terms.consent_th, en: terms.consent_en, version: terms.consent_version });
  $('#homewatch-photos-label').textContent = t('homewatch.photos', { n: maxPhotos() });
  $('#homewatch-days').textContent = t('homewatch.days', { n: terms.max_days });
}

// A datetime-local value ("2026-12-02T08:00") in the phone's own time.
function localValue(date) {
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function contactRow(i) {
  const id = `homewatch-contact-${i}`;
  return el('div', { class: 'contact-row card', 'data-i': i },
    el('label', { for: `${id}-name` }, t('homewatch.contact.name', { n: i + 1 })),
    el('input', { id: `${id}-name`, class: 'c-name', maxlength: 100, autocomplete: i ? 'off' : 'name' }),
    el('label', { for: `${id}-phone` }, t('homewatch.contact.phone')),
    el('input', { id: `${id}-phone`, class: 'c-phone', type: 'tel', maxlength: 20, autocomplete: i ? 'off' : 'tel' }),
    el('label', { for: `${id}-relation` }, t('homewatch.contact.relation')),
    el('input', { id: `${id}-relation`, class: 'c-relation', maxlength: 50, placeholder: t('homewatch.contact.relation.hint') }));
}

function addContact() {
  const box = $('#homewatch-contacts');
  if (box.children.length < MAX_CONTACTS) box.append(contactRow(box.children.length));
  $('#homewatch-contact-add').hidden = box.children.length >= MAX_CONTACTS;
}

function contacts() {
  return [...$('#homewatch-contacts').children].map((row) => ({
    name: row.querySelector('.c-name').value.trim(), phone: row.querySelector('.c-phone').value.trim(),
    relation: row.querySelector('.c-relation').value.trim() || null,
  })).filter((c) => c.name || c.phone);
}

function renderThumbs() {
  $('#homewatch-thumbs').replaceChildren(...photos.map((photo, i) => el('figure', { class: 'thumb' },
    el('img', { src: photo.url, alt: photo.file.name }),
    el('button', { type: 'button', class: 'thumb-x', 'data-i': i, 'aria-label': t('report.photos.remove') }, '×'))));
}

function addFiles(event) {
  for (const file of event.target.files) {
    const reason = refuse(file);
    if (reason) toast(reason, 'error');
    else if (photos.length >= maxPhotos()) { toast(t('report.photos.too_many', { n: maxPhotos() }), 'error'); break; }
    else photos.push({ file, url: URL.createObjectURL(file) });
  }
  event.target.value = '';
  renderThumbs();
}

function valid() {
  const f = form();
  if ($('#homewatch-address').value.trim().length < 5) return fail(f, t('homewatch.missing.address'));
  if (!picker.value) return fail(f, t('homewatch.missing.place'));
  const from = $('#homewatch-from').value;
  const until = $('#homewatch-until').value;
  if (!from || !until) return fail(f, t('homewatch.missing.dates'));
  if (new Date(until) <= new Date(from)) return fail(f, t('homewatch.dates.order'));
  if (new Date(until) <= new Date()) return fail(f, t('homewatch.dates.past'));
  const days = (new Date(until) - new Date(from)) / 86400000;
  if (terms && days > terms.max_days) return fail(f, t('homewatch.days', { n: terms.max_days }));
  const list = contacts();
  if (!list.length) return fail(f, t('homewatch.missing.contact'));
  if (list.some((c) => !c.name || !/^\+?[0-9][0-9 -]{5,19}$/.test(c.phone))) return fail(f, t('homewatch.contact.wrong'));
  if (!consented($('#homewatch-consent'))) return fail(f, t('consent.needed'));
  return !fail(f, '');
}

async function submit(event) {
  event.preventDefault();
  if (!valid()) return;
  const button = form().querySelector('button[type=submit]');
  button.disabled = true;
  button.textContent = t('form.sending');
  draftKey = draftKey || newKey();
  const { lat, lon, accuracy_m: accuracy } = picker.value.location;
  const body = {
    client_key: draftKey, address: $('#homewatch-address').value.trim(),
    location: accuracy === null || accuracy === undefined ? { lat, lon } : { lat, lon, accuracy_m: accuracy },
    away_from: new Date($('#homewatch-from').value).toISOString(),
    away_until: new Date($('#homewatch-until').value).toISOString(),
    contacts: contacts(), notes: $('#homewatch-notes').value.trim() || null,
    consent: { accepted: true, version: $('#homewatch-consent').dataset.version },
  };
  try {
    const result = await send('/home-watch', body);
    const key = draftKey;
    saveTicket({ code: result.code, kind: 'homewatch', key, at: new Date().toISOString(), status: result.status });
    for (const [i, photo] of photos.entries()) {
      button.textContent = t('upload.progress', { i: i + 1, n: photos.length });
      const upload = new FormData();
      upload.append('file', photo.file, photo.file.name || 'house.jpg');
      try {
        await call(`/home-watch/${encodeURIComponent(result.code)}/photos`, { method: 'POST', form: upload, key, timeout: 120000 });
      } catch (err) {
        toast(t('upload.failed', { name: `${photo.file.name}: ${problemText(err)}` }), 'error');
      }
    }
    photos.forEach((p) => URL.revokeObjectURL(p.url));
    photos = [];
    draftKey = null;
    form().reset();
    renderThumbs();
    picker.clear();
    resetForm();
    go(`/citizen/t/${result.code}`);
  } catch (err) {
    fail(form(), problemText(err));
  } finally {
    button.disabled = false;
    button.textContent = t('form.send');
  }
}

function resetForm() {
  const start = new Date(Math.ceil(Date.now() / 3600000) * 3600000);
  $('#homewatch-from').value = localValue(start);
  $('#homewatch-until').value = localValue(new Date(start.getTime() + 3 * 86400000));
  $('#homewatch-contacts').replaceChildren();
  addContact();
  $('#homewatch-from').dispatchEvent(new Event('change'));
  $('#homewatch-until').dispatchEvent(new Event('change'));
  renderTerms();
}

function visitPhoto(code, key, visit) {
  const img = el('img', { class: 'visit-photo', alt: t('homewatch.visit.photo') });
  const known = visitPhotos.get(visit.id);
  if (known) img.src = known;
  else {
    blobUrl(`/home-watch/${encodeURIComponent(code)}/visits/${encodeURIComponent(visit.id)}/photo`, key)
      .then((url) => { visitPhotos.set(visit.id, url); img.src = url; })
      .catch(() => { img.replaceWith(el('p', { class: 'muted' }, t('homewatch.visit.photo.failed'))); });
  }
  return img;
}

async function cancel(code, own, refresh, button) {
  if (!window.confirm(t('homewatch.cancel.confirm', { code }))) return;
  button.disabled = true;
  try {
    await send(`/home-watch/${encodeURIComponent(code)}/cancel`, undefined, { key: own.key, attempts: 2 });
    toast(t('homewatch.cancelled'), 'ok');
    refresh();
  } catch (err) {
    toast(problemText(err, { conflict: t('homewatch.cancel.late') }), 'error');
    button.disabled = false;
  }
}

export const homewatchView = {
  path: (code) => `/home-watch/${encodeURIComponent(code)}`,
  final: (data) => !OPEN.has(data.status),
  render(data, own, refresh) {
    const visits = data.visits.slice().reverse(); // the latest first
    const parts = [
      statusPill('homewatch', data.status),
      data.decline_reason ? el('div', { class: 'card' }, el('h3', {}, t('homewatch.declined.why')), el('p', {}, data.decline_reason)) : null,
      facts([
        [t('homewatch.station'), pick(data.station, 'name')],
        [t('homewatch.from'), formatDateTime(data.away_from)],
        [t('homewatch.until'), formatDateTime(data.away_until)],
        [t('homewatch.photos.count'), t('data.count', { n: data.photos })],
      ]),
      el('div', { class: 'card visits', id: 'homewatch-visits' }, el('h3', {}, t('homewatch.visits', { n: visits.length })),
        visits.length ? el('ul', { class: 'plain' }, ...visits.map((v) => el('li', { class: `visit f-${v.finding}`, 'data-finding': v.finding },
          el('p', {}, el('b', {}, formatDateTime(v.at)), ' · ', el('span', { class: 'finding' }, t(`homewatch.finding.${v.finding}`))),
          v.note ? el('p', {}, v.note) : null,
          v.photo && own ? visitPhoto(data.code, own.key, v) : null)))
          : el('p', { class: 'muted' }, t(data.status === 'approved' ? 'homewatch.visits.none' : 'homewatch.visits.after'))),
    ];
    if (OPEN.has(data.status)) {
      parts.push(el('div', { class: 'card follow' }, el('h3', {}, t('homewatch.line')), el('p', {}, t('homewatch.line.how')),
        el('p', { class: 'code-big' }, `${data.code} ${data.follow_pin}`)));
      if (own) {
        const button = el('button', { type: 'button', class: 'btn danger wide', id: 'homewatch-cancel' }, t('homewatch.cancel'));
        button.addEventListener('click', () => cancel(data.code, own, refresh, button));
        parts.push(button);
      }
    }
    return parts;
  },
};

export function initHomewatch(navigate) {
  go = navigate;
  picker = new PlacePicker($('[data-place=homewatch]'));
  echoDate($('#homewatch-from'));
  echoDate($('#homewatch-until'));
  $('#homewatch-contact-add').addEventListener('click', addContact);
  $('#homewatch-files').addEventListener('change', addFiles);
  $('#homewatch-thumbs').addEventListener('click', (e) => {
    const i = e.target.closest('.thumb-x')?.dataset.i;
    if (i === undefined) return;
    URL.revokeObjectURL(photos[i].url);
    photos.splice(Number(i), 1);
    renderThumbs();
  });
  form().addEventListener('submit', submit);
  resetForm();
}

export function showHomewatch() {
  picker.show();
  if (!terms || !$('#homewatch-consent').children.length) loadTerms();
}

export function redrawHomewatch() {
  renderTerms();
  [...$('#homewatch-contacts').children].forEach((row, i) => {
    const [name, phone, relation] = row.querySelectorAll('label');
    name.textContent = t('homewatch.contact.name', { n: i + 1 });
    phone.textContent = t('homewatch.contact.phone');
    relation.textContent = t('homewatch.contact.relation');
    row.querySelector('.c-relation').placeholder = t('homewatch.contact.relation.hint');
  });
  $('#homewatch-from').dispatchEvent(new Event('change'));
  $('#homewatch-until').dispatchEvent(new Event('change'));
}
