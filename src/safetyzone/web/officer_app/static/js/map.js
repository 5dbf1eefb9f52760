// Leaflet (from npm, served by the app) is loaded when the first map is shown, not before:
// the status buttons and the SOS must not wait for the map code on a slow link.
import { el } from '/pwa/static/js/dom.js';

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

export async function makeMap(element, centre) {
  const L = await leaflet();
  const map = L.map(element, { attributionControl: false, zoomControl: true });
  const tiles = document.body.dataset.tileUrl;
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  else element.classList.add('plain');
  map.setView([centre.lat, centre.lon], 16);
  return { L, map };
}

// A marker drawn with CSS, its label as text: Leaflet writes string icons as HTML, nodes not.
export function pin(L, kind, text = '') {
  return L.divIcon({ className: `pin pin-${kind}`, html: el('span', {}, text), iconSize: [30, 30], iconAnchor: [15, 30] });
}

export function dot(L) {
  return L.divIcon({ className: 'me-dot', html: el('span'), iconSize: [18, 18], iconAnchor: [9, 9] });
}
