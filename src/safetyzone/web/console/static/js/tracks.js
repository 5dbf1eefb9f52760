// Track replay: pick a unit and a window (by default the 8 hours up to its last fix), see
// its track on the map, move a marker along it with the time slider or the play button, and
// read the summary (distance, time moving, time in the zone) and its zone entries and exits.
// The presence layer (presence.js) lives in the same panel.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';
import { formatDateTime, formatDistance, onLangChange, t } from './i18n.js';
import { theMap } from './map.js';
import { bindPresence, clearPresence } from './presence.js';
import { api, ApiError } from './session.js';
import { on, store } from './store.js';
import { el } from './ui.js';

const HOUR_MS = 3600 * 1000;
const BANGKOK_MS = 7 * HOUR_MS; // Thailand keeps UTC+7 all year
const WINDOW_MS = 8 * HOUR_MS; // a shift
const MAX_WINDOW_MS = 24 * HOUR_MS; // what the server serves at once
const HOLD_GAP_MS = 120 * 1000; // no fix for longer: the marker waits, it does not glide
const TICK_MS = 100;

const $ = (id) => document.getElementById(id);
let drawn = null; // the track's layer group
let marker = null;
let path = []; // the trusted fixes, {ms, lat, lon}
let shown = null; // {unit, track, summary, crossings} last loaded
let timer = null;

// datetime-local inputs hold Bangkok wall time whatever zone the browser is set to.
function toInput(ms) { return new Date(ms + BANGKOK_MS).toISOString().slice(0, 16); }
function fromInput(value) { return Date.parse(`${value}:00Z`) - BANGKOK_MS; }

// The pickers are the browser's (Gregorian); beside each, the chosen time as Thai readers
// read it: Buddhist Era year in Thai, Bangkok time.
function echoWindow() {
  for (const id of ['replay-since', 'replay-until']) {
    const value = $(id).value;
    $(`${id}-be`).textContent = value ? formatDateTime(fromInput(value)) : '';
  }
}

function hm(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const minutes = Math.round(seconds / 60);
  return t('duration.hm', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

function stationUnits() {
  const code = $('station-select').value || store.station; // (its own handler may run later)
  const station = store.stations.find((s) => s.code === code);
  return [...store.units.values()].filter((u) => !station || u.station_id === station.id)
    .sort((a, b) => a.code.localeCompare(b.code));
}

function fillUnits(selected) {
  const select = $('replay-unit');
  const keep = selected || select.value;
  const units = stationUnits();
  select.replaceChildren(...units.map((u) => el('option', { value: u.id }, `${u.code} · ${u.callsign}`)));
  if (units.some((u) => u.id === keep)) select.value = keep;
  if (!units.length) status(t('track.no_units'));
}

// The default window: the 8 hours up to the unit's last fix (now, for a unit reporting).
function defaultWindow() {
  const unit = store.units.get($('replay-unit').value);
  const last = unit?.fix_time ? Date.parse(unit.fix_time) : Date.now();
  const until = Math.min(Date.now(), Math.ceil(last / 60000) * 60000);
  $('replay-until').value = toInput(until);
  $('replay-since').value = toInput(until - WINDOW_MS);
  echoWindow();
}

function status(text) { $('replay-status').textContent = text; }

export function openReplay(unitId = null) {
  $('replay').hidden = false;
  fillUnits(unitId);
  if (unitId || !$('replay-until').value) defaultWindow();
  if (unitId) load();
}

export function closeReplay() {
  stop();
  clearTrack();
  clearPresence();
  $('replay').hidden = true;
}

function clearTrack() {
  if (drawn) drawn.remove();
  drawn = null;
  marker = null;
  path = [];
  shown = null;
  $('replay-player').hidden = true;
  $('replay-summary').hidden = true;
  $('replay-crossings').hidden = true;
}

async function load(event) {
  event?.preventDefault();
  const unitId = $('replay-unit').value;
  const since = fromInput($('replay-since').value);
  const until = fromInput($('replay-until').value);
  if (!unitId) return;
  if (!(until > since) || until - since > MAX_WINDOW_MS) {
    status(t('track.window_error'));
    return;
  }
  stop();
  status(t('track.loading'));
  const query = `since=${encodeURIComponent(new Date(since).toISOString())}`
    + `&until=${encodeURIComponent(new Date(until).toISOString())}`;
  const id = encodeURIComponent(unitId);
  try {
    const [track, summary, crossings] = await Promise.all([
      api(`/api/v1/units/${id}/track?${query}`),
      api(`/api/v1/units/${id}/track/summary?${query}`),
      api(`/api/v1/patrol/geofence-events?unit_id=${id}&${query}`),
    ]);
    clearTrack();
    shown = { unit: store.units.get(unitId), track, summary, crossings };
    draw();
    render();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    status(err.status === 422 ? t('track.window_error') : err.message);
  }
}

function dot(latlng, cls, colour, tip) {
  return L.circleMarker(latlng, { radius: 6, color: '#fff', weight: 2, fillColor: colour, fillOpacity: 1, className: cls })
    .bindTooltip(() => el('span', { class: 'ssz-label' }, tip()), { direction: 'top' });
}

function draw() {
  const { track, crossings, unit } = shown;
  const fixes = track.fixes.map((f) => ({ ...f, ms: Date.parse(f.at) }));
  path = fixes.filter((f) => !f.suspect);
  if (!path.length) return;
  const map = theMap();
  drawn = L.layerGroup().addTo(map);
  const line = L.polyline(path.map((f) => [f.lat, f.lon]), {
    color: '#1f5fbf', weight: 4, opacity: 0.85, className: 'track-line', interactive: false,
  }).addTo(drawn);
  fixes.filter((f) => f.suspect).forEach((f) => L.circleMarker([f.lat, f.lon], {
    radius: 5, color: '#7f8c8d', weight: 2, dashArray: '2 2', fill: false, className: 'track-suspect',
  }).bindTooltip(() => el('span', { class: 'ssz-label' }, t('track.suspect'))).addTo(drawn));
  const first = path[0];
  const last = path[path.length - 1];
  dot([first.lat, first.lon], 'track-start', '#1e8449',
    () => `${t('track.start')} · ${formatDateTime(first.at, { seconds: true })}`).addTo(drawn);
  dot([last.lat, last.lon], 'track-end', '#17202a',
    () => `${t('track.end')} · ${formatDateTime(last.at, { seconds: true })}`).addTo(drawn);
  crossings.forEach((c) => dot([c.lat, c.lon], `track-cross ${c.kind}`, c.kind === 'enter' ? '#27ae60' : '#c0392b',
    () => `${t(`track.${c.kind}`, { zone: c.zone_code })} · ${formatDateTime(c.at, { seconds: true })}`).addTo(drawn));
  const code = unit?.code || '';
  marker = L.marker([first.lat, first.lon], {
    icon: L.divIcon({ className: 'mk unit replay', html: el('span', {}, code), iconSize: null }),
    zIndexOffset: 1500, interactive: false,
  }).addTo(drawn);
  const panel = $('replay'); // the panel covers the map's left: fit the track beside it
  map.fitBounds(line.getBounds(), {
    paddingTopLeft: [panel.offsetLeft + panel.offsetWidth + 30, 40], paddingBottomRight: [40, 40],
    maxZoom: 17, animate: false,
  });
  const slider = $('replay-slider');
  slider.max = String(Math.max(0, Math.round((last.ms - first.ms) / 1000)));
  slider.value = '0';
  $('replay-player').hidden = false;
  seek(0);
}

// The marker at ``seconds`` after the first fix: between the two fixes around that time
// (or at the earlier one across a gap of more than two minutes).
function seek(seconds) {
  if (!path.length || !marker) return;
  const at = path[0].ms + seconds * 1000;
  let lo = 0;
  let hi = path.length - 1;
  while (lo < hi) { // the last fix not after ``at``
    const mid = Math.ceil((lo + hi) / 2);
    if (path[mid].ms <= at) lo = mid; else hi = mid - 1;
  }
  const a = path[lo];
  const b = path[lo + 1];
  let latlng = [a.lat, a.lon];
  if (b && b.ms - a.ms <= HOLD_GAP_MS) {
    const k = (at - a.ms) / (b.ms - a.ms);
    latlng = [a.lat + (b.lat - a.lat) * k, a.lon + (b.lon - a.lon) * k];
  }
  marker.setLatLng(latlng);
  $('replay-time').textContent = formatDateTime(at, { seconds: true });
}

function play() {
  const slider = $('replay-slider');
  if (timer) { stop(); return; }
  if (Number(slider.value) >= Number(slider.max)) slider.value = '0';
  $('replay-play').textContent = t('track.pause');
  $('replay-play').dataset.playing = 'true';
  timer = setInterval(() => {
    const next = Math.min(Number(slider.max), Number(slider.value) + Number($('replay-speed').value) * TICK_MS / 1000);
    slider.value = String(next);
    seek(next);
    if (next >= Number(slider.max)) stop();
  }, TICK_MS);
}

function stop() {
  clearInterval(timer);
  timer = null;
  $('replay-play').textContent = t('track.play');
  delete $('replay-play').dataset.playing;
}

function render() {
  if (!shown) return;
  const { track } = shown;
  status(track.fixes.length ? t('track.window', {
    from: formatDateTime(track.since), to: formatDateTime(track.until) }) : t('track.empty'));
  const s = shown.summary;
  const row = (key, value) => [el('dt', {}, t(key)), el('dd', { 'data-field': key }, value)];
  const summary = $('replay-summary');
  summary.replaceChildren(
    ...row('track.distance', formatDistance(s.distance_m)),
    ...row('track.moving', hm(s.moving_s)),
    ...row('track.in_zone', hm(s.inside_zone_s)),
    ...row('track.tracked', hm(s.tracked_s)),
    ...row('track.fixes', t('track.fixes_n', { n: s.fixes, s: s.suspect_fixes })));
  summary.hidden = !shown.track.fixes.length;
  const list = $('replay-events');
  list.replaceChildren(...(shown.crossings.length ? shown.crossings.map((c) => el('li', { class: c.kind },
    el('button', { type: 'button', class: 'btn small', 'data-at': c.at },
      `${formatDateTime(c.at, { seconds: true })} · ${t(`track.${c.kind}`, { zone: c.zone_code })}`)))
    : [el('li', { class: 'muted' }, t('track.no_crossings'))]));
  $('replay-crossings').hidden = !shown.track.fixes.length;
}

export function bindTracks() {
  $('replay-open').addEventListener('click', () => openReplay());
  $('replay-close').addEventListener('click', closeReplay);
  $('replay-form').addEventListener('submit', load);
  $('replay-unit').addEventListener('change', () => { defaultWindow(); load(); });
  $('replay-play').addEventListener('click', play);
  $('replay-slider').addEventListener('input', (event) => { stop(); seek(Number(event.target.value)); });
  $('replay-events').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-at]');
    if (!button || !path.length) return;
    stop();
    const seconds = Math.round((Date.parse(button.dataset.at) - path[0].ms) / 1000);
    $('replay-slider').value = String(seconds);
    seek(seconds);
  });
  $('station-select').addEventListener('change', () => { if (!$('replay').hidden) fillUnits(); });
  on('open-track', (unitId) => openReplay(unitId));
  for (const id of ['replay-since', 'replay-until']) $(id).addEventListener('input', echoWindow);
  onLangChange(() => {
    echoWindow();
    if ($('replay').hidden) return;
    fillUnits();
    render();
    if (!timer) $('replay-play').textContent = t('track.play');
    if (path.length) seek(Number($('replay-slider').value));
  });
  bindPresence(toInput);
}
