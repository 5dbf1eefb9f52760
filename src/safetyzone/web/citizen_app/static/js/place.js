// Where something happened: the phone's position, or a pin on the map when the position is
// refused, slow or not where the thing is.
import { el } from '/pwa/static/js/dom.js';
import { t } from '/pwa/static/js/i18n.js';
import { makeMap, pin } from './map.js';

export function locate({ timeout = 10000 } = {}) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve({ error: 'unavailable' }); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ location: fromPosition(pos) }),
      (err) => resolve({ error: err.code === 1 ? 'denied' : 'slow' }),
      { enableHighAccuracy: true, timeout, maximumAge: 30000 },
    );
  });
}

export function fromPosition(pos) {
  return {
    lat: pos.coords.latitude, lon: pos.coords.longitude,
    accuracy_m: Math.round(pos.coords.accuracy || 0), at: new Date(pos.timestamp || Date.now()).toISOString(),
  };
}

// The place widget of a form: a "use my location" button, a line saying what is chosen, a map.
export class PlacePicker {
  constructor(root, { onChange = () => {}, gpsButton = true } = {}) {
    this.root = root;
    this.onChange = onChange;
    this.value = null;
    this.status = el('p', { class: 'muted place-status', role: 'status' }, t('place.none'));
    this.mapBox = el('div', { class: 'map', 'aria-label': t('map.label') });
    this.button = gpsButton ? el('button', { type: 'button', class: 'btn wide' }, t('place.here')) : null;
    this.button?.addEventListener('click', () => this.useGps());
    root.replaceChildren(...[this.button, this.status, this.mapBox].filter(Boolean));
    this.ready = null;
  }

  // Called when the screen shows: the map loads then, and fits its box.
  show() {
    if (!this.ready) {
      this.ready = makeMap(this.mapBox).then(({ L, map }) => {
        this.L = L;
        this.map = map;
        map.on('click', (e) => this.set({ lat: e.latlng.lat, lon: e.latlng.lng, accuracy_m: null }, 'pin'));
        if (this.mapBox.classList.contains('plain')) this.status.textContent = t('place.nomap');
        if (this.value) this.draw();
        return map;
      }).catch(() => { this.ready = null; this.status.textContent = t('map.failed'); });
    }
    this.ready.then((map) => map && map.invalidateSize());
    return this.ready;
  }

  async useGps() {
    if (this.button) this.button.disabled = true;
    this.status.textContent = t('sos.locating');
    const found = await locate();
    if (this.button) this.button.disabled = false;
    if (found.location) this.set(found.location, 'gps');
    else this.status.textContent = t('place.denied');
  }

  set(location, source) {
    this.value = { location: { lat: location.lat, lon: location.lon, accuracy_m: location.accuracy_m }, source };
    this.status.textContent = source === 'gps' ? t('place.gps', { m: location.accuracy_m })
      : t('place.set', { lat: location.lat.toFixed(5), lon: location.lon.toFixed(5) });
    this.draw();
    this.onChange(this.value);
  }

  draw() {
    if (!this.map || !this.value) return;
    const { lat, lon } = this.value.location;
    if (this.marker) this.marker.setLatLng([lat, lon]);
    else this.marker = this.L.marker([lat, lon], { icon: pin(this.L, 'here'), keyboard: false }).addTo(this.map);
    this.map.setView([lat, lon], Math.max(this.map.getZoom(), 16), { animate: false });
  }

  clear() {
    this.value = null;
    this.marker?.remove();
    this.marker = null;
    this.status.textContent = t('place.none');
  }
}
