// The map: zones, assets by kind, cameras by owner class with their view, units, incidents,
// landmarks. Every layer toggles. With no street map (file or tile server) the background is
// plain, and the zone outlines and markers carry the picture on their own.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';
import { addBasemap } from './basemap.js';
import { pick, t } from './i18n.js';
import {
  can, chosenStation, citizenInQueue, emit, inChosenStation, inQueue, store,
} from './store.js';
import { el } from './ui.js';

export const LAYERS = [
  'zones', 'incidents', 'citizen', 'units', 'cam_city', 'cam_police', 'cam_agency', 'cam_private', 'sos',
  'speaker', 'red_box', 'street_light', 'landmarks', 'other', 'patrol', 'checkpoints',
];
const OWNER_LAYER = {
  city: 'cam_city', police: 'cam_police', other_agency: 'cam_agency',
  private_business: 'cam_private', private_home: 'cam_private',
};
const OWNER_COLOUR = {
  city: '#0b7a75', police: '#1f3c88', other_agency: '#7b4fa0', private_business: '#b5651d',
  private_home: '#b5651d',
};
const KIND_LAYER = {
  sos_point: 'sos', loudspeaker: 'speaker', red_box: 'red_box', street_light: 'street_light',
};
const WEDGE_M = 35;

let map;
const groups = {};
const incidentMarkers = new Map();
const unitMarkers = new Map();
const citizenMarkers = new Map();
let trail = null; // the open item's trail of fixes from the phone (not a toggled layer)

// Markers, popups and tooltips get DOM nodes, never HTML strings: Leaflet writes a string
// into innerHTML, and names come from partners and admins (see ui.js el()).
function icon(cls, text = '') {
  return L.divIcon({ className: `mk ${cls}`, html: el('span', {}, text), iconSize: null });
}

function label(...parts) {
  return () => el('span', { class: 'ssz-label' }, ...parts);
}

// A camera's view: a wedge from its heading and field of view (degrees clockwise from north).
function wedge(lat, lon, heading, fov) {
  const points = [[lat, lon]];
  const mPerLat = 111320;
  const mPerLon = 111320 * Math.cos((lat * Math.PI) / 180);
  const half = Math.min(fov, 300) / 2;
  for (let a = heading - half; a <= heading + half + 0.01; a += Math.max(half / 4, 5)) {
    const r = (a * Math.PI) / 180;
    points.push([lat + (WEDGE_M * Math.cos(r)) / mPerLat, lon + (WEDGE_M * Math.sin(r)) / mPerLon]);
  }
  points.push([lat, lon]);
  return points;
}

// The streets: the server's own tile file when it has one (basemap.js), else a tile server's
// URL template, else none.
export function initMap(element, tileUrl, basemapUrl = '') {
  map = L.map(element, { zoomControl: true, preferCanvas: false, attributionControl: false });
  if (basemapUrl) {
    element.classList.add('plain'); // until the first tiles cover it, or if the file fails
    addBasemap(map, basemapUrl).catch((err) => console.error('street map file:', err));
  } else if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 20 }).addTo(map);
  else element.classList.add('plain');
  L.control.scale({ imperial: false }).addTo(map);
  for (const name of LAYERS) groups[name] = L.layerGroup().addTo(map);
  map.setView([13.736, 100.523], 12);
  return map;
}

export function theMap() { return map; }

// A toggled layer's group, for views that draw their own markers (patrol.js).
export function layer(name) { return groups[name]; }

export function setLayer(name, visible) {
  if (visible) groups[name].addTo(map);
  else groups[name].remove();
}

function button(text, action, id) {
  return el('button', { type: 'button', class: 'btn small', 'data-action': action, 'data-id': id }, text);
}

function popup(title, lines, action) {
  return el('div', { class: 'ssz-popup-body' }, el('b', { class: 'popup-title' }, title),
    ...lines.map((line) => el('div', {}, line)), action);
}

export function drawStatic() {
  for (const name of ['zones', 'landmarks', 'cam_city', 'cam_police', 'cam_agency', 'cam_private',
    'sos', 'speaker', 'red_box', 'street_light', 'other']) groups[name].clearLayers();
  for (const zone of store.zones) {
    const shape = L.geoJSON(zone.boundary, {
      style: { color: '#c0392b', weight: 3, fillColor: '#c0392b', fillOpacity: 0.04, dashArray: '6 4' },
    }).bindTooltip(label(pick(zone, 'name')), { sticky: true });
    shape.addTo(groups.zones);
    for (const mark of zone.landmarks || []) {
      L.marker([mark.lat, mark.lon], { icon: icon('landmark', '★'), title: pick(mark, 'name') })
        .bindTooltip(label(pick(mark, 'name')), { direction: 'top', offset: [0, -8] })
        .addTo(groups.landmarks);
    }
  }
  for (const camera of store.cameras.values()) {
    const layer = groups[OWNER_LAYER[camera.owner_class]];
    const colour = OWNER_COLOUR[camera.owner_class];
    if (camera.heading_deg !== null && camera.fov_deg !== null) {
      L.polygon(wedge(camera.lat, camera.lon, camera.heading_deg, camera.fov_deg), {
        color: colour, weight: 1, fillColor: colour, fillOpacity: 0.25, interactive: false,
      }).addTo(layer);
    }
    L.circleMarker([camera.lat, camera.lon], {
      radius: 4, color: '#fff', weight: 1, fillColor: colour, fillOpacity: 1,
    }).bindPopup(() => popup(camera.code, [camera.name_th,
      `${t(`owner.${camera.owner_class}`)} · ${t(`sharing.${camera.effective_sharing_level}`)}`],
    button(t('wall.add'), 'wall-add', camera.id)), { className: 'ssz-popup' })
      .addTo(layer);
  }
  for (const asset of store.assets.values()) {
    if (asset.kind === 'camera_point') continue;
    const layerName = KIND_LAYER[asset.kind] || 'other';
    // The loudspeaker's button only for roles that may send it a command.
    const speaker = (asset.kind === 'loudspeaker' || asset.has_speaker) && can('command.send');
    const mark = { sos_point: 'SOS', loudspeaker: '◀', red_box: 'R', street_light: '' }[asset.kind] ?? '•';
    L.marker([asset.lat, asset.lon], {
      icon: icon(`asset ${asset.kind}${asset.status !== 'active' ? ' inactive' : ''}`, mark),
      title: pick(asset, 'name'),
    }).bindPopup(() => popup(pick(asset, 'name'), [`${t(`kind.${asset.kind}`)} · ${asset.code}`],
      speaker ? button(t('speaker.open'), 'speaker', asset.id) : null), { className: 'ssz-popup' })
      .addTo(groups[layerName]);
  }
  fitStation();
}

// The map shows the chosen station's zones (all of the user's when none is chosen), and
// only its incidents, units and citizens' reports.
let fitLater = false; // chosen while the map was hidden (another view): fit when it shows

export function fitStation() {
  const size = map.getContainer().getBoundingClientRect();
  if (!size.width || !size.height) {
    fitLater = true; // a hidden map has no size to fit anything into
    return;
  }
  fitLater = false;
  map.invalidateSize({ animate: false });
  const chosen = chosenStation();
  const zones = store.zones.filter((z) => !chosen || z.station_id === chosen.id);
  const shapes = zones.map((z) => L.geoJSON(z.boundary).getBounds()).filter((b) => b.isValid());
  if (shapes.length) {
    let all = shapes[0];
    for (const b of shapes.slice(1)) all = all.extend(b);
    map.fitBounds(all, { padding: [20, 20], animate: false }); // no animation to race a focus()
  } else if (chosen?.lat != null && chosen?.lon != null) {
    map.setView([chosen.lat, chosen.lon], 15, { animate: false });
  }
}

export function fitIfPending() { if (fitLater) fitStation(); }

export function redrawChosen() {
  store.incidents.forEach(drawIncident);
  store.units.forEach(drawUnit);
  store.citizen.forEach(drawCitizen);
  fitStation();
}

export function drawUnit(unit) {
  const known = unitMarkers.get(unit.id);
  if (unit.lat === null || unit.lon === null || unit.status === 'off_duty' || !inChosenStation(unit)) {
    if (known) { known.remove(); unitMarkers.delete(unit.id); }
    return;
  }
  const cls = `unit ${unit.status}${unit.position_suspect ? ' suspect' : ''}`;
  const text = `${unit.code}`;
  if (known) {
    known.setLatLng([unit.lat, unit.lon]);
    known.setIcon(icon(cls, text));
    return;
  }
  const marker = L.marker([unit.lat, unit.lon], { icon: icon(cls, text), zIndexOffset: 500 })
    .bindTooltip(() => el('span', { class: 'ssz-label' }, `${unit.callsign} · ${t(`unit_status.${unit.status}`)}`))
    .on('click', () => emit('open-track', unit.id)) // its track replay (tracks.js)
    .addTo(groups.units);
  unitMarkers.set(unit.id, marker);
}

export function drawIncident(incident) {
  const known = incidentMarkers.get(incident.id);
  if (!inQueue(incident) || incident.lat === null || incident.lon === null || !inChosenStation(incident)) {
    if (known) { known.remove(); incidentMarkers.delete(incident.id); }
    return;
  }
  const cls = `incident p${incident.priority} ${incident.state}${incident.escalation_level ? ' escalated' : ''}`;
  const text = `P${incident.priority}`;
  if (known) {
    known.setLatLng([incident.lat, incident.lon]);
    known.setIcon(icon(cls, text));
    return;
  }
  const marker = L.marker([incident.lat, incident.lon], { icon: icon(cls, text), zIndexOffset: 1000 })
    .on('click', () => emit('open-incident', incident.id))
    .addTo(groups.incidents);
  incidentMarkers.set(incident.id, marker);
}

// A citizen's report or tip at the place it was reported, while it waits in the queue.
export function drawCitizen(item) {
  const known = citizenMarkers.get(item.id);
  if (!citizenInQueue(item) || item.lat === null || item.lon === null || !inChosenStation(item)) {
    if (known) { known.remove(); citizenMarkers.delete(item.id); }
    return;
  }
  const cls = `citizen kind-${item.kind} ${item.state}`;
  const text = t(`citizen.mark.${item.kind}`);
  if (known) {
    known.setLatLng([item.lat, item.lon]);
    known.setIcon(icon(cls, text));
    return;
  }
  const marker = L.marker([item.lat, item.lon], { icon: icon(cls, text), zIndexOffset: 800, title: item.code })
    .bindTooltip(() => el('span', { class: 'ssz-label' }, `${item.code} · ${pick(store.citizen.get(item.id) || item, 'category')}`),
      { direction: 'top', offset: [0, -10] })
    .on('click', () => emit('open-citizen', item.id))
    .addTo(groups.citizen);
  citizenMarkers.set(item.id, marker);
}

// The trail of fixes a phone sent after the first: drawn beside the item's own position,
// never moving it (the place of the report or incident stays where it was first given).
export function showTrail(fixes) {
  clearTrail();
  const points = fixes.filter((f) => f.lat !== null && f.lon !== null).map((f) => [f.lat, f.lon]);
  if (!points.length) return;
  trail = L.layerGroup().addTo(map);
  L.polyline(points, { color: '#8e44ad', weight: 3, dashArray: '4 6', interactive: false, className: 'cz-trail' }).addTo(trail);
  points.forEach((point, index) => L.circleMarker(point, {
    radius: index === points.length - 1 ? 6 : 4, color: '#fff', weight: 1, fillColor: '#8e44ad', fillOpacity: 1,
    className: 'cz-fix',
  }).addTo(trail));
}

export function clearTrail() {
  if (trail) trail.remove();
  trail = null;
}

export function focus(lat, lon) {
  map.invalidateSize({ animate: false }); // the incident panel may have narrowed the map
  if (lat === null || lon === null) return;
  map.setView([lat, lon], Math.max(map.getZoom(), 17), { animate: false });
}

export function viewState() {
  const c = map.getCenter();
  return { lat: c.lat, lon: c.lng, zoom: map.getZoom() };
}
