// Home watch (ฝากบ้าน 4.0): the houses the officer's station watches now, on a map and a list
// with the owner's dates, notes, contacts and photos, and a visit logged at each house: the
// phone's fix, what was found, a note and an optional photo. The visit goes through the
// outbox (queued in a dead spot, sent once with its key); its photo follows once the server
// has named the visit. The answer says accepted (how far; the incident a problem opened) or
// why not, in the app's language. The last list is kept on the phone for dead spots.
import { ApiError, errorText, get, picture, problemText } from './api.js';
import { $, el, telUrl, toast } from '/pwa/static/js/dom.js';
import { currentLang, formatDateTime, formatDistance, formatTime, has, t } from '/pwa/static/js/i18n.js';
import { dot, makeMap, pin } from './map.js';
import { MAX_PHOTO_BYTES, PHOTO_TYPES, shrink } from './media.js';
import { add, onResult } from './outbox.js';
import { here, onFix } from './positions.js';
import { username } from './session.js';

const PATH = '/api/v1/officer/home-watch';
const KEEP = 30;

let houses = [];
let keptAt = null;
let view = null; // { L, map, layer, me }
let lastFix = null;
const pictures = new Map(); // API path -> Promise of a blob: URL

const listKey = () => `ssz.officer.homewatch.${username()}`;
const visitsKey = () => `ssz.officer.hwvisits.${username()}`;

function read(key, fallback) {
  try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch { return fallback; }
}

function write(key, value) {
  try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* storage off */ }
}

function visits() { return read(visitsKey(), []); }

function upsert(entry) {
  write(visitsKey(), [entry, ...visits().filter((e) => e.key !== entry.key)].slice(0, KEEP));
  renderVisits(entry.house);
}

// The house a plan target pointed at (#homewatch/<id>), if any.
function focused() {
  const [screen, id] = location.hash.slice(1).split('/');
  return screen === 'homewatch' ? id || null : null;
}

function reasonTitle(reason) {
  return reason && has(`hw.reason.${reason}`) ? t(`hw.reason.${reason}`) : t('hw.refused');
}

function message(entry) {
  const own = currentLang() === 'en' ? entry.message_en || entry.message_th : entry.message_th || entry.message_en;
  return own || entry.why || '';
}

// An incident's reference as the console can find it: the first block of its id.
export function incidentRef(id) { return String(id).slice(0, 8).toUpperCase(); }

function visitNode(entry) {
  let head;
  if (entry.state === 'waiting') head = el('strong', { class: 'state waiting' }, t('outbox.waiting.short'));
  else if (entry.state === 'accepted') head = el('strong', { class: 'state ok' }, t('hw.accepted'));
  else head = el('strong', { class: 'state bad' }, reasonTitle(entry.reason));
  const lines = [el('span', { class: 'muted' }, `${formatTime(entry.at)} · ${t(`hw.finding.${entry.finding}`)}`)];
  if (entry.state === 'accepted' && entry.distance_m !== null && entry.distance_m !== undefined) {
    lines.push(el('span', {}, t('hw.distance', { d: formatDistance(entry.distance_m) })));
  }
  if (entry.incident_id) {
    lines.push(el('span', { class: 'incident-ref' }, t('hw.incident', { ref: incidentRef(entry.incident_id) })));
  }
  if (entry.state === 'refused') lines.push(el('p', { class: 'why' }, message(entry)));
  if (entry.photo) lines.push(el('span', { class: `photo-state ${entry.photo}` }, t(`hw.photo.${entry.photo}`)));
  return el('li', { class: `checkin hw-visit ${entry.state}`, 'data-reason': entry.reason || '', 'data-key': entry.key },
    head, ...lines);
}

function renderVisits(houseId) {
  const list = document.querySelector(`#hw-list li.house[data-id='${CSS.escape(houseId)}'] .hw-visits`);
  if (list) list.replaceChildren(...visits().filter((e) => e.house === houseId).slice(0, 3).map(visitNode));
}

function ownerPhoto(url, code) {
  const img = el('img', { alt: t('hw.owner_photo', { code }) });
  if (!pictures.has(url)) pictures.set(url, picture(url).catch((err) => { pictures.delete(url); throw err; }));
  pictures.get(url).then((src) => { img.src = src; }).catch(() => {});
  return el('figure', { class: 'thumb' }, img);
}

function contact(person) {
  const who = person.relation ? `${person.name} (${person.relation})` : person.name;
  return el('li', { class: 'hw-contact' }, el('span', {}, who),
    el('a', { class: 'btn small call', href: telUrl(person.phone) }, t('hw.call', { phone: person.phone })));
}

function findingChoice(house, value) {
  const id = `hw-${house.id}-${value}`;
  return el('label', { class: `finding f-${value}`, for: id },
    el('input', { type: 'radio', name: 'finding', value, id }), el('span', {}, t(`hw.finding.${value}`)));
}

function visitForm(house) {
  const photoId = `hw-${house.id}-photo`;
  const photoName = el('span', { class: 'muted photo-name' });
  const photo = el('input', { id: photoId, name: 'photo', type: 'file', class: 'visually-hidden', accept: 'image/jpeg,image/png,image/webp', capture: 'environment' });
  photo.addEventListener('change', () => { photoName.textContent = photo.files[0]?.name || ''; });
  const form = el('form', { class: 'form hw-form', noValidate: true, 'data-house': house.id },
    el('fieldset', {}, el('legend', {}, t('hw.finding')),
      el('div', { class: 'findings' }, findingChoice(house, 'normal'), findingChoice(house, 'problem'))),
    el('label', { for: `hw-${house.id}-note` }, t('hw.note')),
    el('textarea', { id: `hw-${house.id}-note`, name: 'note', rows: '2', maxlength: '1000', placeholder: t('hw.note.placeholder') }),
    el('div', { class: 'row' }, el('label', { class: 'btn file', for: photoId }, t('hw.photo.add')), photo),
    photoName,
    el('p', { class: 'error', role: 'alert' }),
    el('button', { type: 'submit', class: 'btn primary wide' }, t('hw.log')));
  form.addEventListener('submit', (event) => { event.preventDefault(); logVisit(house, form); });
  return form;
}

function houseNode(house, n) {
  const when = t('hw.away', { from: formatDateTime(house.away_from), until: formatDateTime(house.away_until) });
  const seen = house.last_visit_at ? t('hw.last', { at: formatDateTime(house.last_visit_at) }) : t('hw.never');
  return el('li', { class: 'card house', 'data-id': house.id, 'data-code': house.code },
    el('div', { class: 'target-head' },
      el('strong', {}, `${n}. ${house.code}`),
      el('span', { class: 'chip-state' }, t('hw.today', { n: house.visits_today }))),
    el('p', { class: 'hw-address' }, house.address || t('hw.no_address')),
    el('span', { class: 'muted' }, when),
    el('span', { class: 'muted' }, seen),
    house.notes ? el('p', { class: 'hw-notes' }, house.notes) : null,
    house.contacts.length ? el('ul', { class: 'plain hw-contacts' }, house.contacts.map(contact)) : null,
    house.photo_urls.length ? el('div', { class: 'thumbs' }, house.photo_urls.map((u) => ownerPhoto(u, house.code))) : null,
    el('a', { class: 'btn wide', href: `geo:${house.lat},${house.lon}?q=${house.lat},${house.lon}` }, t('hw.navigate')),
    visitForm(house),
    el('ul', { class: 'plain hw-visits' }));
}

async function drawMap() {
  const box = $('#hw-map');
  box.hidden = !houses.length;
  if (!houses.length) return;
  if (!view) {
    view = { pending: makeMap(box, houses[0]).catch(() => null) };
    const made = await view.pending;
    if (!made) { view = null; return; }
    Object.assign(view, made, { layer: made.L.layerGroup().addTo(made.map) });
  } else if (!view.map) {
    await view.pending;
  }
  if (!view?.map) return;
  const { L, map, layer } = view;
  layer.clearLayers();
  houses.forEach((house, i) => {
    const marker = L.marker([house.lat, house.lon], { icon: pin(L, 'home', String(i + 1)), title: house.code, keyboard: false });
    marker.on('click', () => scrollTo(house.id));
    layer.addLayer(marker);
  });
  drawMe();
  map.invalidateSize();
  map.fitBounds(L.latLngBounds(houses.map((h) => [h.lat, h.lon])).pad(0.3), { maxZoom: 17, animate: false });
}

function drawMe() {
  if (!view?.map || !lastFix) return;
  const spot = [lastFix.lat, lastFix.lon];
  if (!view.me) view.me = view.L.marker(spot, { icon: dot(view.L), keyboard: false, interactive: false }).addTo(view.map);
  else view.me.setLatLng(spot);
}

function scrollTo(id) {
  const card = document.querySelector(`#hw-list li.house[data-id='${CSS.escape(id)}']`);
  if (!card) return;
  document.querySelectorAll('#hw-list li.house.focus').forEach((n) => n.classList.remove('focus'));
  card.classList.add('focus');
  card.scrollIntoView({ block: 'start' });
  window.scrollBy(0, -64); // below the header
}

function render() {
  $('#hw-list').replaceChildren(...houses.map((h, i) => houseNode(h, i + 1)));
  houses.forEach((h) => renderVisits(h.id));
  $('#hw-kept').textContent = keptAt ? t('hw.kept', { at: formatDateTime(keptAt) }) : '';
  drawMap();
  const id = focused();
  if (id) scrollTo(id);
}

export async function showHomeWatch() {
  const empty = $('#hw-empty');
  try {
    houses = await get(PATH);
    keptAt = null;
    write(listKey(), { houses, at: new Date().toISOString() });
    empty.textContent = t('hw.none');
  } catch (err) {
    const kept = read(listKey(), null);
    houses = kept?.houses || [];
    keptAt = kept?.at || null;
    empty.textContent = err instanceof ApiError && err.status === 404 ? t('plan.unavailable') : errorText(err);
    if (!houses.length) toast(errorText(err), 'error');
  }
  empty.hidden = houses.length > 0;
  render();
}

async function logVisit(house, form) {
  const error = $('.error', form);
  error.textContent = '';
  const finding = form.querySelector('input[name=finding]:checked')?.value;
  if (!finding) { error.textContent = t('hw.missing.finding'); return; }
  const note = form.note.value.trim();
  if (finding === 'problem' && !note) { error.textContent = t('hw.missing.note'); return; }
  let photo = null;
  const [original] = form.photo.files;
  if (original) {
    if (!PHOTO_TYPES.test(original.type)) { error.textContent = t('photos.type', { name: original.name }); return; }
    photo = await shrink(original);
    if (photo.size > MAX_PHOTO_BYTES) { error.textContent = t('photos.too_big', { name: original.name }); return; }
  }
  const button = $('button[type=submit]', form);
  button.disabled = true;
  try {
    error.textContent = t('checkin.locating');
    const fix = await here(10000);
    if (!fix) { error.textContent = t('checkin.nofix'); return; }
    error.textContent = '';
    const json = { lat: fix.lat, lon: fix.lon, accuracy_m: fix.accuracy_m, finding, note: note || null };
    const item = await add('hw_visit', {
      path: `${PATH}/${encodeURIComponent(house.id)}/visits`, json, label: house.code,
      meta: { house: house.id },
      then: photo ? { kind: 'hw_photo', path: `${PATH}/visits/{id}/photo`, file: photo, filename: photo.name, label: house.code, meta: {} } : null,
    });
    upsert({ key: item.key, house: house.id, at: new Date().toISOString(), state: 'waiting', finding, photo: photo ? 'waiting' : null });
    form.reset();
    form.querySelector('.photo-name').textContent = '';
    toast(navigator.onLine ? t('checkin.sending') : t('hw.queued'));
  } finally {
    button.disabled = false;
  }
}

function answered({ item, ok, status, body }) {
  if (item.kind === 'hw_photo') {
    const entry = visits().find((e) => e.id && item.path.includes(e.id));
    if (entry) upsert({ ...entry, photo: ok ? 'sent' : null });
    if (!ok) toast(t('outbox.ended', { what: t('outbox.kind.hw_photo'), why: problemText(status, body) }), 'error');
    return;
  }
  if (item.kind !== 'hw_visit') return;
  const base = visits().find((e) => e.key === item.key)
    || { key: item.key, house: item.meta.house, at: item.created, finding: item.json.finding };
  if (ok) {
    upsert({ ...base, state: 'accepted', id: body.id, distance_m: body.distance_m, incident_id: body.incident_id });
    navigator.vibrate?.(80);
    if (body.incident_id) toast(t('hw.incident', { ref: incidentRef(body.incident_id) }), 'alert');
    if (document.body.dataset.screen === 'homewatch') showHomeWatch();
  } else {
    upsert({ ...base, state: 'refused', reason: body.reason || null, message_th: body.message_th,
      message_en: body.message_en, why: problemText(status, body), photo: null });
    navigator.vibrate?.([80, 60, 80]);
  }
}

export function initHomeWatch() {
  onResult(answered);
  onFix((fix) => { lastFix = fix; drawMe(); });
}
