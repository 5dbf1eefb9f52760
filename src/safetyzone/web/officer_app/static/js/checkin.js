// Red box check-in: scan the box's QR code with the camera (the phone's own BarcodeDetector
// where it has one, else jsQR from npm in a worker), or type or paste the code. The QR text
// goes to the server verbatim, with the phone's fix and the scan time, through the outbox;
// the answer says accepted (the box, how far) or why not, in the app's language.
import { problemText } from './api.js';
import { $, el, toast } from '/pwa/static/js/dom.js';
import { currentLang, formatDistance, formatTime, has, pick, t } from '/pwa/static/js/i18n.js';
import { MAX_PHOTO_BYTES, PHOTO_TYPES, shrink } from './media.js';
import { add, onResult } from './outbox.js';
import { here } from './positions.js';
import { username } from './session.js';

const PATH = '/api/v1/officer/checkins';
const MAX_CODE = 512;
const SCAN_EVERY_MS = 200;
const FRAME_EDGE = 720;
const KEEP = 20;

let stream = null;
let worker = null;
let workerBusy = false;
let detector = null;
let ticker = null;
let canvas = null;

function listKey() { return `ssz.officer.checkins.${username()}`; }

function recent() {
  try { return JSON.parse(localStorage.getItem(listKey())) || []; } catch { return []; }
}

function saveRecent(items) {
  try { localStorage.setItem(listKey(), JSON.stringify(items.slice(0, KEEP))); } catch { /* storage off */ }
}

function upsert(entry) {
  const items = recent().filter((item) => item.key !== entry.key);
  saveRecent([entry, ...items]);
  renderRecent();
}

function reasonTitle(reason) {
  return reason && has(`checkin.reason.${reason}`) ? t(`checkin.reason.${reason}`) : t('checkin.refused');
}

function message(entry) {
  const own = currentLang() === 'en' ? entry.message_en || entry.message_th : entry.message_th || entry.message_en;
  return own || entry.why || '';
}

function entryNode(entry) {
  let head;
  if (entry.state === 'waiting') head = el('strong', { class: 'state waiting' }, t('outbox.waiting.short'));
  else if (entry.state === 'accepted') head = el('strong', { class: 'state ok' }, t('checkin.accepted'));
  else head = el('strong', { class: 'state bad' }, reasonTitle(entry.reason));
  const box = entry.box ? `${pick(entry.box, 'name')} (${entry.box.code})` : entry.code.slice(0, 40);
  const lines = [el('span', { class: 'muted' }, `${formatTime(entry.at)} · ${box}`)];
  if (entry.state === 'accepted' && entry.distance_m !== null && entry.distance_m !== undefined) {
    lines.push(el('span', {}, t('checkin.distance', { d: formatDistance(entry.distance_m) })));
  }
  if (entry.state === 'refused') lines.push(el('p', { class: 'why' }, message(entry)));
  return el('li', { class: `checkin ${entry.state}`, 'data-reason': entry.reason || '', 'data-key': entry.key },
    head, ...lines, photoControl(entry));
}

// One photo per accepted check-in (the box, the scene), queued like every other action.
function photoControl(entry) {
  if (!entry.id || entry.state !== 'accepted') return null;
  if (entry.photo) return el('span', { class: `photo-state ${entry.photo}` }, t(`checkin.photo.${entry.photo}`));
  const id = `checkin-photo-${entry.key}`;
  const input = el('input', { id, type: 'file', class: 'visually-hidden', accept: 'image/jpeg,image/png,image/webp', capture: 'environment' });
  input.addEventListener('change', () => attach(entry, input));
  return el('span', { class: 'photo-add' }, el('label', { class: 'btn small file', for: id }, t('checkin.photo.add')), input);
}

async function attach(entry, input) {
  const [original] = input.files;
  input.value = '';
  if (!original) return;
  if (!PHOTO_TYPES.test(original.type)) { toast(t('photos.type', { name: original.name }), 'error'); return; }
  const file = await shrink(original);
  if (file.size > MAX_PHOTO_BYTES) { toast(t('photos.too_big', { name: original.name }), 'error'); return; }
  await add('checkin_photo', { path: `${PATH}/${encodeURIComponent(entry.id)}/photo`, file, filename: file.name,
    label: entry.box ? pick(entry.box, 'name') : entry.code.slice(0, 40), meta: { checkin: entry.key } });
  upsert({ ...entry, photo: 'waiting' });
}

export function renderRecent() {
  const items = recent();
  $('#checkin-list').replaceChildren(...items.map(entryNode));
  $('#checkin-empty').hidden = items.length > 0;
}

function status(text) { $('#scan-status').textContent = text; }

async function submit(code) {
  const text = code.trim();
  const error = $('#checkin-form .error');
  error.textContent = '';
  if (!text || text.length > MAX_CODE || /[\u0000-\u001f]/.test(text)) {
    error.textContent = t('checkin.bad_code');
    return false;
  }
  status(t('checkin.locating'));
  const fix = await here(10000);
  if (!fix) {
    status('');
    error.textContent = t('checkin.nofix');
    return false;
  }
  const scanned = new Date().toISOString();
  const item = await add('checkin', {
    path: PATH, label: text.slice(0, 40),
    json: { code: text, scanned_at: scanned, lat: fix.lat, lon: fix.lon, accuracy_m: fix.accuracy_m },
  });
  upsert({ key: item.key, code: text, at: scanned, state: 'waiting' });
  status(navigator.onLine ? t('checkin.sending') : t('checkin.queued'));
  return true;
}

function answered({ item, ok, status: code, body }) {
  if (item.kind === 'checkin_photo') {
    const entry = recent().find((e) => e.key === item.meta.checkin);
    if (entry) upsert({ ...entry, photo: ok ? 'sent' : null });
    if (!ok) toast(t('outbox.ended', { what: t('outbox.kind.checkin_photo'), why: problemText(code, body) }), 'error');
    return;
  }
  if (item.kind !== 'checkin') return;
  const base = recent().find((entry) => entry.key === item.key)
    || { key: item.key, code: item.json.code, at: item.json.scanned_at };
  if (ok) {
    upsert({ ...base, state: 'accepted', id: body.id, box: body.box, distance_m: body.distance_m,
      message_th: body.message_th, message_en: body.message_en });
    status(t('checkin.accepted'));
    navigator.vibrate?.(80);
  } else {
    upsert({ ...base, state: 'refused', id: body.checkin_id || null, reason: body.reason || null, message_th: body.message_th,
      message_en: body.message_en, why: problemText(code, body) });
    status(reasonTitle(body.reason));
    navigator.vibrate?.([80, 60, 80]);
  }
}

// One frame: the native detector, or the worker with jsQR (one frame at a time).
async function look(video) {
  if (!stream || video.readyState < 2) return;
  if (detector) {
    try {
      const found = await detector.detect(video);
      if (found.length) done(found[0].rawValue);
    } catch { /* a frame it could not read */ }
    return;
  }
  if (workerBusy) return;
  const scale = Math.min(1, FRAME_EDGE / Math.max(video.videoWidth, video.videoHeight));
  const width = Math.round(video.videoWidth * scale);
  const height = Math.round(video.videoHeight * scale);
  if (!width || !height) return;
  canvas = canvas || el('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(video, 0, 0, width, height);
  const frame = context.getImageData(0, 0, width, height);
  workerBusy = true;
  worker.postMessage({ width, height, data: frame.data.buffer }, [frame.data.buffer]);
}

function done(text) {
  if (!stream) return;
  stopScan();
  $('#checkin-code').value = text;
  navigator.vibrate?.(60);
  submit(text);
}

async function startScan() {
  $('#checkin-form .error').textContent = '';
  if (!navigator.mediaDevices?.getUserMedia) {
    status(t('checkin.nocamera'));
    $('#checkin-typed').open = true;
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
  } catch (err) {
    stream = null;
    status(err && err.name === 'NotAllowedError' ? t('checkin.camera_denied') : t('checkin.nocamera'));
    $('#checkin-typed').open = true;
    return;
  }
  if ('BarcodeDetector' in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    } catch { detector = null; }
  }
  if (!detector && !worker) {
    worker = new Worker('/officer/static/js/qr-worker.js');
    worker.addEventListener('message', (event) => {
      workerBusy = false;
      if (event.data && event.data.text) done(event.data.text);
    });
  }
  const video = $('#scan-video');
  video.srcObject = stream;
  $('#scanner').hidden = false;
  $('#scan-start').hidden = true;
  $('#scan-stop').hidden = false;
  status(t('checkin.aim'));
  await video.play().catch(() => {});
  ticker = setInterval(() => look(video), SCAN_EVERY_MS);
}

export function stopScan() {
  clearInterval(ticker);
  ticker = null;
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
  workerBusy = false;
  const video = $('#scan-video');
  video.srcObject = null;
  $('#scanner').hidden = true;
  $('#scan-start').hidden = false;
  $('#scan-stop').hidden = true;
}

export function initCheckin() {
  $('#scan-start').addEventListener('click', startScan);
  $('#scan-stop').addEventListener('click', () => { stopScan(); status(''); });
  $('#checkin-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (await submit(event.target.code.value)) event.target.reset();
  });
  onResult(answered);
}
