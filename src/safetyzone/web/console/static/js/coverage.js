// Camera coverage: a map layer of the chosen station's view cones (dashed where the range is
// assumed, purple where a cone falls on private space), its private areas, and its SOS points,
// risk spots, landmarks and red boxes, the ones no camera sees drawn large and red; with a
// line of figures and tables (uncovered places by kind, cameras at private space, cameras of
// unknown direction). Everything from the server is drawn as text. See docs/video/coverage.md.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';
import { onLangChange, t } from './i18n.js';
import { theMap } from './map.js';
import { openPtz } from './ptz.js';
import { api, ApiError } from './session.js';
import { can, store } from './store.js';
import { el } from './ui.js';

const KINDS = ['sos_point', 'risk_spot', 'landmark', 'red_box'];
const $ = (id) => document.getElementById(id);
let drawn = null;
let loaded = null;
let asked = 0;
const station = () => $('station-select').value || store.station;
const name = (item) => (document.documentElement.lang === 'en' && item.name_en) || item.name_th;

function status(text) { $('coverage-status').textContent = text; }

function summary() {
  if (!loaded) return;
  const total = KINDS.reduce((n, k) => n + loaded.counts[k].total, 0);
  const uncovered = KINDS.reduce((n, k) => n + loaded.counts[k].uncovered, 0);
  status(t('coverage.summary', {
    u: uncovered, n: total, c: loaded.cameras_total, p: loaded.cameras_at_private_space,
    d: loaded.cameras_direction_unknown,
  }));
}

function purposes(camera) {
  return camera.purposes.length ? camera.purposes.map((p) => t(`coverage.purpose.${p}`)).join(', ')
    : t('coverage.purpose.none');
}

function cameraPopup(camera) {
  const lines = [
    el('strong', {}, camera.code), el('div', {}, camera.name_th),
    el('div', {}, `${t(`owner.${camera.owner_class}`)} · ${purposes(camera)}`),
    el('div', {}, t(camera.range_assumed ? 'coverage.range_assumed' : 'coverage.range',
      { m: Math.round(camera.range_m) })),
  ];
  if (camera.private_share > 0) {
    lines.push(el('div', { class: camera.at_private_space ? 'error' : 'muted' },
      t('coverage.private_share', { p: Math.round(100 * camera.private_share) })));
  }
  if (camera.view_note) lines.push(el('div', { class: 'muted' }, camera.view_note));
  if (camera.ptz && can('command.send')) {
    const button = el('button', { type: 'button', class: 'btn small', 'data-ptz': camera.id }, t('ptz.open'));
    button.addEventListener('click', () => openPtz(camera));
    lines.push(button);
  }
  return el('div', { class: 'coverage-popup' }, lines);
}

function placeTip(place) {
  const seen = place.covered ? t('coverage.seen_by', { c: place.seen_by.join(', ') })
    : (place.perhaps_by.length ? t('coverage.perhaps_by', { c: place.perhaps_by.join(', ') })
      : t('coverage.unseen'));
  return el('span', { class: 'ssz-label' }, `${t(`coverage.kind.${place.kind}`)} · ${name(place)} · ${seen}`);
}

// The places go above the asset icons (an SOS point's icon would hide its red ring).
function placesPane() {
  const map = theMap();
  if (!map.getPane('coverage-places')) map.createPane('coverage-places'); // z-index: console.css
  return 'coverage-places';
}

function draw(body) {
  drawn = L.layerGroup().addTo(theMap());
  const pane = placesPane();
  for (const area of body.private_areas) {
    const ring = area.boundary.coordinates[0].map(([lon, lat]) => [lat, lon]);
    L.polygon(ring, { color: '#6c3483', weight: 1, fillColor: '#a569bd', fillOpacity: 0.25, className: 'coverage-private' })
      .bindTooltip(() => el('span', { class: 'ssz-label' }, `${t('coverage.private_area')} · ${area.name}`), { sticky: true })
      .addTo(drawn);
  }
  for (const camera of body.cameras) {
    if (!camera.cone) {
      L.circleMarker([camera.lat, camera.lon], { radius: 5, color: '#7f8c8d', weight: 2, fillOpacity: 0, dashArray: '2 2', className: 'coverage-unknown' })
        .bindPopup(() => cameraPopup(camera), { className: 'ssz-popup' }).addTo(drawn);
      continue;
    }
    const ring = camera.cone.coordinates[0].map(([lon, lat]) => [lat, lon]);
    const colour = camera.at_private_space ? '#8e44ad' : (camera.active ? '#2471a3' : '#95a5a6');
    L.polygon(ring, {
      color: colour, weight: 1, fillColor: colour, fillOpacity: 0.18,
      dashArray: camera.range_assumed ? '4 3' : null,
      className: `coverage-cone${camera.at_private_space ? ' private' : ''}${camera.ptz ? ' ptz' : ''}`,
    }).bindPopup(() => cameraPopup(camera), { className: 'ssz-popup' }).addTo(drawn);
  }
  for (const place of body.places) {
    L.circleMarker([place.lat, place.lon], {
      pane, radius: place.covered ? 7 : 15, weight: place.covered ? 2 : 4,
      color: place.covered ? '#1e8449' : '#c0392b', fillColor: place.covered ? '#27ae60' : '#e74c3c',
      fillOpacity: place.covered ? 0.35 : 0.2,
      className: place.covered ? 'coverage-place covered' : 'coverage-place uncovered',
    }).bindTooltip(() => placeTip(place), { sticky: true }).addTo(drawn);
  }
}

export function clearCoverage() {
  asked += 1;
  if (drawn) drawn.remove();
  drawn = null;
  loaded = null;
  status('');
}

export async function showCoverage() {
  const ticket = ++asked;
  if (drawn) drawn.remove();
  drawn = null;
  loaded = null;
  if (!$('coverage-on').checked) { status(''); return; }
  if (!station()) { status(t('coverage.pick_station')); return; }
  status(t('coverage.loading'));
  let body;
  try {
    body = await api(`/api/v1/coverage?station_code=${encodeURIComponent(station())}`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (ticket === asked) status(err.message);
    return;
  }
  if (ticket !== asked) return;
  loaded = body;
  draw(body);
  summary();
}

function table(head, rows, empty) {
  if (!rows.length) return el('p', { class: 'muted' }, t(empty));
  return el('table', { class: 'grid' },
    el('thead', {}, el('tr', {}, head.map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, rows));
}

function tables(body) {
  const counts = el('table', { class: 'grid', id: 'coverage-counts' },
    el('thead', {}, el('tr', {}, ['coverage.t.kind', 'coverage.t.total', 'coverage.t.covered', 'coverage.t.uncovered']
      .map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, KINDS.map((k) => el('tr', { 'data-kind': k },
      el('th', { scope: 'row' }, t(`coverage.kind.${k}`)), el('td', {}, String(body.counts[k].total)),
      el('td', {}, String(body.counts[k].covered)), el('td', { class: body.counts[k].uncovered ? 'error' : '' }, String(body.counts[k].uncovered))))));
  const uncovered = body.places.filter((p) => !p.covered).map((p) => el('tr', { 'data-kind': p.kind },
    el('td', {}, t(`coverage.kind.${p.kind}`)), el('td', {}, p.code || ''), el('td', {}, name(p)),
    el('td', {}, p.perhaps_by.length ? t('coverage.perhaps_by', { c: p.perhaps_by.join(', ') }) : '–')));
  const privates = body.cameras.filter((c) => c.at_private_space).map((c) => el('tr', {},
    el('td', {}, c.code), el('td', {}, t(`owner.${c.owner_class}`)),
    el('td', {}, `${Math.round(100 * c.private_share)} %`), el('td', {}, c.range_assumed ? t('coverage.yes') : t('coverage.no'))));
  const unknown = body.cameras.filter((c) => !c.direction_known).map((c) => el('tr', {},
    el('td', {}, c.code), el('td', {}, c.name_th), el('td', {}, t(`owner.${c.owner_class}`)), el('td', {}, purposes(c))));
  const ptz = body.cameras.filter((c) => c.ptz).map((c) => {
    const cells = [el('td', {}, c.code), el('td', {}, c.name_th),
      el('td', {}, c.heading_deg === null ? t('ptz.heading_unknown') : t('ptz.heading', { h: Math.round(c.heading_deg) }))];
    if (can('command.send')) {
      const open = el('button', { type: 'button', class: 'btn small', 'data-ptz': c.id }, t('ptz.open'));
      open.addEventListener('click', () => { $('coverage-tables').close(); openPtz(c); });
      cells.push(el('td', {}, open));
    }
    return el('tr', {}, cells);
  });
  return [
    el('section', { class: 'hs-table', id: 'coverage-summary' }, el('h3', {}, t('coverage.t.summary')), counts,
      el('p', { class: 'muted' }, t('coverage.t.read', { p: Math.round(100 * body.private_limit), e: body.utm_epsg }))),
    el('section', { class: 'hs-table', id: 'coverage-uncovered' }, el('h3', {}, t('coverage.t.uncovered_title')),
      table(['coverage.t.kind', 'coverage.t.code', 'coverage.t.name', 'coverage.t.perhaps'], uncovered, 'coverage.t.none')),
    el('section', { class: 'hs-table', id: 'coverage-private' }, el('h3', {}, t('coverage.t.private_title', { p: Math.round(100 * body.private_limit) })),
      table(['coverage.t.camera', 'coverage.t.owner', 'coverage.t.share', 'coverage.t.assumed'], privates, 'coverage.t.none')),
    el('section', { class: 'hs-table', id: 'coverage-unknown' }, el('h3', {}, t('coverage.t.unknown_title')),
      el('p', { class: 'muted' }, t('coverage.t.unknown_why')),
      table(['coverage.t.camera', 'coverage.t.name', 'coverage.t.owner', 'coverage.t.purposes'], unknown, 'coverage.t.none')),
    el('section', { class: 'hs-table', id: 'coverage-ptz' }, el('h3', {}, t('coverage.t.ptz_title')),
      table(['coverage.t.camera', 'coverage.t.name', 'coverage.t.heading',
        ...(can('command.send') ? ['ptz.open'] : [])], ptz, 'coverage.t.none')),
  ];
}

async function openTables() {
  const dialog = $('coverage-tables');
  const body = $('coverage-tables-body');
  if (!station()) { status(t('coverage.pick_station')); return; }
  body.replaceChildren(el('p', { class: 'muted' }, t('coverage.loading')));
  dialog.showModal();
  try {
    loaded = await api(`/api/v1/coverage?station_code=${encodeURIComponent(station())}`);
    body.replaceChildren(...tables(loaded));
  } catch (err) {
    body.replaceChildren(el('p', { class: 'error' }, err instanceof ApiError ? err.message : t('error.action')));
  }
}

export function bindCoverage() {
  $('coverage-tables-open').addEventListener('click', () => { openTables().catch(() => {}); });
  for (const id of ['coverage-on', 'station-select']) $(id).addEventListener('change', showCoverage);
  // A PTZ move turns a cone: draw the layer again when one is done.
  document.addEventListener('ssz:camera-moved', () => { if ($('coverage-on').checked) showCoverage(); });
  onLangChange(() => { summary(); });
}
