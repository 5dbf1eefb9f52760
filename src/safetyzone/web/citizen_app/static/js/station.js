// My station: the station (and zone) for a place, its phone and LINE, its service posts.
// The card found last is kept on the phone: the emergency screen offers its number offline.
import { call, errorText } from './api.js';
import { $, el, safeUrl, telUrl } from '/pwa/static/js/dom.js';
import { formatDistance, pick, t } from '/pwa/static/js/i18n.js';
import { pin } from './map.js';
import { PlacePicker } from './place.js';
import { recall, remember } from './store.js';

let picker;
let layer = null;

function card(found) {
  const { station, zone, posts = [] } = found;
  const parts = [
    el('h3', {}, pick(station, 'name')),
    zone ? el('p', {}, t('station.zone', { name: pick(zone, 'name') })) : null,
    el('p', { class: 'muted' }, found.how === 'zone' ? t('station.how.zone')
      : t('station.how.nearest', { distance: formatDistance(found.distance_m) })),
    station.phone ? el('a', { class: 'btn call wide', href: telUrl(station.phone) }, t('station.call', { phone: station.phone })) : null,
    station.line_url && safeUrl(station.line_url).startsWith('https:')
      ? el('a', { class: 'btn line wide', href: station.line_url, rel: 'noopener', target: '_blank' }, t('station.line')) : null,
  ];
  if (posts.length) {
    parts.push(el('h3', {}, t('station.posts')), el('ul', { class: 'plain posts' }, ...posts.map((post) => el('li', {},
      el('b', {}, pick(post, 'name')), ' ', el('span', { class: 'muted' }, `${t(`post.${post.kind}`)} · ${formatDistance(post.distance_m)}`),
      pick(post, 'hours') ? el('div', {}, t('station.hours', { hours: pick(post, 'hours') })) : null))));
  }
  $('#station-card').replaceChildren(...parts.filter(Boolean));
  $('#station-card').hidden = false;
}

async function draw(found) {
  const map = await picker.show();
  if (!map) return;
  const { L } = picker;
  layer?.remove();
  layer = L.layerGroup().addTo(map);
  const points = picker.value ? [[picker.value.location.lat, picker.value.location.lon]] : [];
  if (found.station.lat !== null && found.station.lon !== null) {
    L.marker([found.station.lat, found.station.lon], { icon: pin(L, 'station'), keyboard: false, title: pick(found.station, 'name') }).addTo(layer);
    points.push([found.station.lat, found.station.lon]);
  }
  for (const post of found.posts || []) {
    L.marker([post.lat, post.lon], { icon: pin(L, 'post'), keyboard: false, title: pick(post, 'name') }).addTo(layer);
    points.push([post.lat, post.lon]);
  }
  if (points.length > 1) map.fitBounds(points, { padding: [30, 30], maxZoom: 16, animate: false });
}

async function lookUp(place) {
  const { lat, lon } = place.location;
  try {
    const found = await call(`/stations/locate?${new URLSearchParams({ lat, lon })}`);
    remember('station', found);
    card(found);
    await draw(found);
    $('#station-card').scrollIntoView({ block: 'start' });
  } catch (err) {
    $('#station-card').replaceChildren(el('p', { class: 'error' }, errorText(err)));
    $('#station-card').hidden = false;
  }
}

export function initStation() {
  picker = new PlacePicker($('[data-place=station]'), { onChange: lookUp });
}

export function showStation() {
  picker.show();
  const known = recall('station');
  if (known && known.station && $('#station-card').hidden) { card(known); draw(known); }
}

export function redrawStation() {
  const known = recall('station');
  if (known && known.station && !$('#station-card').hidden) card(known);
}
