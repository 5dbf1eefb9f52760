// Leaflet (from npm, served by the app) is loaded only when a map is first shown: the
// emergency button must not wait for 40 KB of map code on a slow link.
import { el } from '/pwa/static/js/dom.js';
import { recall } from './store.js';

const DEFAULT = { lat: 13.736, lon: 100.523, zoom: 12 };
let loading = null;

export function leaflet() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      document.head.append(el('link', { rel: 'stylesheet', href: '/vendor/leaflet/leaflet.css' }));
      const script = el('script', { src: '/vendor/leaflet/leaflet.js' });
      script.addEventListener('load', () => resolve(window.L));
      script.addEventListener('error', () => { loading = null; reject(new Error('leaflet')); });
      document.head.append(script);
    });
  }
  return loading;
}

export async function makeMap(element) {
  const L = await leaflet();
  const map = L.map(element, { attributionControl: false, zoomControl: true });
  const tiles = document.body.dataset.tileUrl;
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  else element.classList.add('plain');
  const station = recall('station');
  const centre = station && station.station && station.station.lat !== null ? { ...station.station, zoom: 14 } : DEFAULT;
  map.setView([centre.lat, centre.lon], centre.zoom);
  return { L, map };
}

// A marker drawn with CSS, its label as text: Leaflet writes string icons as HTML, nodes not.
export function pin(L, kind, text = '') {
  return L.divIcon({ className: `pin pin-${kind}`, html: el('span', {}, text), iconSize: [30, 30], iconAnchor: [15, 30] });
}
