// The home screen: the unit and its status buttons, the assigned incident (map, navigation,
// the docked camera's picture), notes and photos. Every action is queued in the outbox and
// shows as "waiting to send" until the server has it; the screen then shows the server's.
import { picture, problemText } from './api.js';
import { $, $$, el, toast } from '/pwa/static/js/dom.js';
import { currentLang, formatAgo, minutesSince, formatTime, pick, t } from '/pwa/static/js/i18n.js';
import { dot, makeMap, pin } from './map.js';
import { add, onChange, onResult, waiting } from './outbox.js';
import { onFix } from './positions.js';
import { crewLine } from './shift.js';
import { MAX_PHOTO_BYTES, PHOTO_TYPES, shrink } from './media.js';
import { loadMe, onMe, setMe, state } from './store.js';

const STATUS_PATH = '/api/v1/officer/status';
const NOTE_PATH = '/api/v1/officer/incident/notes';
const PHOTO_PATH = '/api/v1/officer/incident/photos';
const NEEDS_INCIDENT = new Set(['en_route', 'on_scene', 'cleared']);

let pending = [];
let mapView = null; // { L, map, incident, me, id }
let lastFix = null;
const blobs = new Map(); // API picture path -> blob: URL
const pendingUrls = new Map(); // outbox seq -> blob: URL of a photo still to send

function pendingStatus() {
  return pending.filter((item) => item.kind === 'status').at(-1) || null;
}

function renderUnit(me) {
  const shift = me?.shift;
  if (!shift) return;
  $('#unit-name').textContent = shift.unit.callsign;
  $('#unit-meta').textContent = `${shift.unit.code}\n${crewLine(shift)}`;
  const status = shift.unit.status;
  const pill = $('#unit-status');
  pill.className = `pill big s-${status}`;
  pill.textContent = t(`unit.${status}`);
  const waitingStatus = pendingStatus();
  const line = $('#unit-pending');
  line.hidden = !waitingStatus;
  if (waitingStatus) line.textContent = t('status.waiting', { status: t(`status.${waitingStatus.json.status}`) });
  const assigned = Boolean(me.assignment);
  for (const button of $$('#status-buttons .status-btn')) {
    const value = button.dataset.status;
    const current = waitingStatus ? waitingStatus.json.status === value : status === value;
    button.setAttribute('aria-pressed', String(current));
    button.classList.toggle('waiting', Boolean(waitingStatus && waitingStatus.json.status === value));
    button.disabled = NEEDS_INCIDENT.has(value) && !assigned && !(waitingStatus && NEEDS_INCIDENT.has(waitingStatus.json.status));
  }
}

async function cachedPicture(path) {
  if (!blobs.has(path)) blobs.set(path, picture(path).catch((err) => { blobs.delete(path); throw err; }));
  return blobs.get(path);
}

function cameraFigure() {
  const img = el('img', { class: 'cam-img', alt: '' });
  const caption = el('figcaption');
  const status = el('p', { class: 'muted', role: 'status' });
  const refresh = el('button', { type: 'button', class: 'btn small' }, t('camera.refresh'));
  const figure = el('figure', { class: 'camera' }, img, caption, status, refresh);
  const show = async (camera) => {
    figure.dataset.camera = camera.id;
    delete figure.dataset.loaded;
    img.alt = t('camera.alt', { name: camera.name_th });
    caption.textContent = `${camera.name_th} (${camera.code})`;
    status.textContent = t('camera.loading');
    status.hidden = false;
    try {
      const url = await picture(`/api/v1/cameras/${encodeURIComponent(camera.id)}/snapshot`);
      if (figure.dataset.camera !== camera.id) { URL.revokeObjectURL(url); return; }
      if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
      img.src = url;
      status.hidden = true;
      figure.dataset.loaded = 'true';
    } catch {
      if (figure.dataset.camera === camera.id) status.textContent = t('camera.none');
    }
  };
  return { figure, show, refresh };
}

// The first docked camera's picture (fetched with the token: a blob: URL); the others as
// buttons that put theirs in its place. A new picture only when asked: a slow link.
function renderCameras(incident) {
  const box = $('#incident-cameras');
  const ids = `${currentLang()}:${incident.cameras.map((c) => c.id).join(',')}`;
  if (box.dataset.ids === ids) return; // the picture already shown stays (no refetch per poll)
  box.dataset.ids = ids;
  if (!incident.cameras.length) { box.replaceChildren(); return; }
  const view = cameraFigure();
  let current = incident.cameras[0];
  view.refresh.addEventListener('click', () => view.show(current));
  const others = incident.cameras.map((camera) => {
    const button = el('button', { type: 'button', class: 'chip-btn', 'data-camera': camera.id,
      'aria-pressed': String(camera === current) }, camera.name_th);
    button.addEventListener('click', () => {
      current = camera;
      for (const b of others) b.setAttribute('aria-pressed', String(b === button));
      view.show(camera);
    });
    return button;
  });
  box.replaceChildren(el('h4', {}, t('camera.title')), view.figure,
    others.length > 1 ? el('div', { class: 'chips', role: 'group', 'aria-label': t('camera.others') }, others) : null);
  view.show(current);
}

function noteItem(note, waitingToSend) {
  return el('li', { class: waitingToSend ? 'note waiting' : 'note' },
    el('span', { class: 'note-meta' }, waitingToSend ? t('outbox.waiting.short') : `${formatTime(note.at)} · ${note.username}`),
    el('p', {}, note.text));
}

function renderNotes(incident) {
  const mine = pending.filter((item) => item.kind === 'note' && item.meta.incident === incident.id);
  $('#notes').replaceChildren(...incident.notes.map((n) => noteItem(n, false)),
    ...mine.map((item) => noteItem({ text: item.json.text }, true)));
}

function photoThumb(photo) {
  const img = el('img', { alt: t('photos.alt', { at: formatTime(photo.at) }) });
  cachedPicture(`${photo.url}?thumb=1`).then((url) => { img.src = url; }).catch(() => {});
  return el('figure', { class: 'thumb', 'data-photo': photo.id }, img);
}

function pendingThumb(item) {
  if (!pendingUrls.has(item.seq)) {
    pendingUrls.set(item.seq, URL.createObjectURL(new Blob([item.file.bytes], { type: item.file.type })));
  }
  return el('figure', { class: 'thumb waiting' }, el('img', { src: pendingUrls.get(item.seq), alt: t('outbox.waiting.short') }),
    el('figcaption', {}, t('outbox.waiting.short')));
}

function renderPhotos(incident) {
  const mine = pending.filter((item) => item.kind === 'photo' && item.meta.incident === incident.id);
  for (const [seq, url] of pendingUrls) {
    if (!mine.some((item) => item.seq === seq)) { URL.revokeObjectURL(url); pendingUrls.delete(seq); }
  }
  $('#photos').replaceChildren(...incident.photos.map(photoThumb), ...mine.map(pendingThumb));
}

async function renderMap(incident) {
  const box = $('#incident-map');
  if (incident.lat === null || incident.lon === null) { box.hidden = true; return; }
  box.hidden = false;
  if (!mapView) {
    mapView = { pending: makeMap(box, incident).catch(() => null) };
    const made = await mapView.pending;
    if (!made) { mapView = null; return; }
    Object.assign(mapView, made);
  } else if (mapView.pending && !mapView.map) {
    await mapView.pending;
  }
  if (!mapView?.map) return;
  const { L, map } = mapView;
  const spot = [incident.lat, incident.lon];
  if (!mapView.incident) mapView.incident = L.marker(spot, { icon: pin(L, `p${incident.priority}`), keyboard: false }).addTo(map);
  else mapView.incident.setLatLng(spot);
  if (mapView.id !== incident.id) {
    mapView.id = incident.id;
    map.setView(spot, 16, { animate: false });
  }
  drawMe();
  map.invalidateSize();
}

function drawMe() {
  if (!mapView?.map || !lastFix) return;
  const spot = [lastFix.lat, lastFix.lon];
  if (!mapView.me) mapView.me = mapView.L.marker(spot, { icon: dot(mapView.L), keyboard: false, interactive: false }).addTo(mapView.map);
  else mapView.me.setLatLng(spot);
}

function renderAge() {
  const incident = state.me?.assignment;
  if (!incident) return;
  const since = incident.dispatched_at || incident.opened_at;
  $('#incident-age').textContent = incident.dispatched_at
    ? t('incident.dispatched_ago', { age: formatAgo(minutesSince(since)) }) : t('incident.opened_ago', { age: formatAgo(minutesSince(since)) });
}

function renderIncident(me) {
  const incident = me?.assignment;
  $('#incident').hidden = !incident;
  $('#no-incident').hidden = Boolean(incident);
  if (!incident) return;
  $('#incident').dataset.id = incident.id;
  $('#incident').dataset.state = incident.state;
  const prio = $('#incident-priority');
  prio.className = `prio p${incident.priority}`;
  prio.textContent = `P${incident.priority}`;
  const st = $('#incident-state');
  st.className = `pill s-${incident.state}`;
  st.textContent = t(`state.${incident.state}`);
  $('#incident-title').textContent = pick(incident, 'title');
  const nav = $('#incident-nav');
  nav.hidden = !incident.geo_uri;
  if (incident.geo_uri) nav.setAttribute('href', incident.geo_uri.match(/^geo:[-0-9.,?q=]+$/) ? incident.geo_uri : '#');
  renderAge();
  renderCameras(incident);
  renderNotes(incident);
  renderPhotos(incident);
  renderMap(incident);
}

export function renderHome() {
  const me = state.me;
  if (!me?.shift) return;
  renderUnit(me);
  renderIncident(me);
}

async function sendStatus(status) {
  await add('status', { path: STATUS_PATH, json: { status }, label: status });
  if (status === 'en_route') navigator.vibrate?.(60);
}

async function sendNote(event) {
  event.preventDefault();
  const form = event.target;
  const text = form.text.value.trim();
  const error = $('.error', form);
  error.textContent = '';
  const incident = state.me?.assignment;
  if (!text || !incident) return;
  if (text.length > 1000) { error.textContent = t('notes.too_long'); return; }
  await add('note', { path: NOTE_PATH, json: { text }, label: text, meta: { incident: incident.id } });
  form.reset();
}

async function queuePhotos(event) {
  const input = event.target;
  const incident = state.me?.assignment;
  const files = [...input.files];
  input.value = '';
  if (!incident) return;
  for (const original of files) {
    if (!PHOTO_TYPES.test(original.type)) { toast(t('photos.type', { name: original.name }), 'error'); continue; }
    const file = await shrink(original);
    if (file.size > MAX_PHOTO_BYTES) { toast(t('photos.too_big', { name: original.name }), 'error'); continue; }
    await add('photo', { path: PHOTO_PATH, file, filename: file.name, label: original.name, meta: { incident: incident.id } });
  }
}

function results({ item, body, status, ok }) {
  if (!['status', 'note', 'photo'].includes(item.kind)) return;
  if (!ok) {
    toast(t('outbox.ended', { what: t(`outbox.kind.${item.kind}`), why: problemText(status, body) }), 'error');
    loadMe().catch(() => {});
    return;
  }
  if (item.kind === 'status' && body?.user) setMe(body);
  else loadMe().catch(() => {});
}

export function initHome() {
  $('#status-buttons').addEventListener('click', (event) => {
    const button = event.target.closest('.status-btn');
    if (button && !button.disabled) sendStatus(button.dataset.status);
  });
  $('#note-form').addEventListener('submit', sendNote);
  $('#photo-take').addEventListener('change', queuePhotos);
  $('#photo-pick').addEventListener('change', queuePhotos);
  onMe((me, { newAssignment }) => {
    renderHome();
    if (newAssignment) {
      navigator.vibrate?.([200, 100, 200]);
      toast(t('incident.new', { title: pick(me.assignment, 'title') }), 'alert');
    }
  });
  onChange((items) => { pending = items; renderHome(); });
  onResult(results);
  onFix((fix) => { lastFix = fix; drawMe(); });
  setInterval(renderAge, 30000);
  waiting().then((items) => { pending = items; }).catch(() => {});
}
