// The emergency button. A hold of two seconds (or a tap and a confirm) sends, so a phone in a
// pocket does not call the police. It sends the phone's position, or a pin when the position
// is refused or slow. Offline, or when sending fails, it says so and shows numbers to call:
// nothing is queued for later, because help that is "on the way" must really be.
import { ApiError, errorText, send, transient } from './api.js';
import { consentFor, loadCatalog } from './catalog.js';
import { $, el, telUrl } from '/pwa/static/js/dom.js';
import { pick, t } from '/pwa/static/js/i18n.js';
import { makeMap, pin } from './map.js';
import { locate } from './place.js';
import { dropSos, recall, saveTicket, sosKey, sosSent } from './store.js';

const HOLD_MS = 2000;
let busy = false;
let held = false;
let timer = null;
let pinMap = null;
let pinned = null;
let last = null; // the last location tried, for "try again"
let go = () => {};

function status(text, { pickButton = false } = {}) {
  $('#sos-status').hidden = false;
  $('#sos-status-text').textContent = text;
  $('#sos-pick').hidden = !pickButton;
}

function callPanel(why) {
  busy = false;
  $('#sos-status').hidden = true;
  $('#sos-pin').hidden = true;
  $('#call-why').textContent = why;
  const station = recall('station');
  const links = [];
  if (station && station.station && station.station.phone) {
    links.push(el('a', { class: 'btn call wide', href: telUrl(station.station.phone) },
      t('call.station', { name: pick(station.station, 'name'), phone: station.station.phone })));
  }
  links.push(el('a', { class: 'btn call wide', href: 'tel:191' }, t('call.191')));
  $('#call-links').replaceChildren(...links);
  $('#call-retry').hidden = !navigator.onLine;
  $('#call-panel').hidden = false;
}

async function showPinMap(reason) {
  busy = false; // waiting for the person: a new press starts again
  status(reason);
  $('#sos-pick').hidden = true;
  $('#sos-pin').hidden = false;
  if (!pinMap) {
    pinMap = makeMap($('#sos-map')).then(({ L, map }) => {
      let marker = null;
      map.on('click', (e) => {
        pinned = { lat: e.latlng.lat, lon: e.latlng.lng, accuracy_m: null };
        if (marker) marker.setLatLng(e.latlng);
        else marker = L.marker(e.latlng, { icon: pin(L, 'sos'), keyboard: false }).addTo(map);
        $('#sos-pin-send').disabled = false;
      });
      return map;
    }).catch(() => { pinMap = null; callPanel(t('map.failed')); });
  }
  const map = await pinMap;
  map?.invalidateSize();
  $('#sos-pin').scrollIntoView({ block: 'start' });
}

export async function sendEmergency(location, source, fresh = false) {
  last = { location, source };
  busy = true;
  $('#call-panel').hidden = true;
  $('#sos-pin').hidden = true;
  if (!navigator.onLine) { callPanel(t('call.offline')); return; }
  status(t('sos.sending'));
  if (fresh) dropSos();
  const sos = sosKey();
  let result;
  try {
    await loadCatalog();
    result = await send('/emergencies', {
      client_key: sos.key, location, location_source: source,
      consent: consentFor(['emergency']),
    }, { attempts: 3, onRetry: (n) => status(t('sos.retrying', { n })) });
  } catch (err) {
    callPanel(err instanceof ApiError && !transient(err) ? errorText(err) : t('call.failed'));
    return;
  }
  if (result.status === 'closed' && !fresh) { await sendEmergency(location, source, true); return; }
  sosSent(result.code);
  saveTicket({ code: result.code, kind: 'emergency', key: sos.key, at: new Date().toISOString(), status: result.status });
  busy = false;
  $('#sos-status').hidden = true;
  go(`/citizen/t/${result.code}`, { merged: result.merged });
}

async function trigger() {
  if (busy) return;
  busy = true;
  pinned = null;
  $('#sos-pin-send').disabled = true;
  $('#call-panel').hidden = true;
  if (!navigator.onLine) { callPanel(t('call.offline')); return; }
  status(t('sos.locating'), { pickButton: true });
  const found = await locate({ timeout: 10000 });
  if (!$('#sos-pin').hidden) return; // the person chose to pin the place meanwhile
  if (found.location) {
    const { lat, lon, accuracy_m: accuracy } = found.location;
    await sendEmergency({ lat, lon, accuracy_m: accuracy }, 'gps');
  } else {
    await showPinMap(found.error === 'denied' ? t('sos.denied') : t('sos.slow'));
  }
}

function startHold(event) {
  if (busy || (event.button !== undefined && event.button > 0)) return;
  held = false;
  $('#sos').classList.add('holding');
  timer = setTimeout(() => {
    held = true;
    $('#sos').classList.remove('holding');
    navigator.vibrate?.(200);
    trigger();
  }, HOLD_MS);
}

function endHold() {
  clearTimeout(timer);
  $('#sos').classList.remove('holding');
}

export function initEmergency(navigate) {
  go = navigate;
  const button = $('#sos');
  button.addEventListener('pointerdown', startHold);
  for (const name of ['pointerup', 'pointerleave', 'pointercancel']) button.addEventListener(name, endHold);
  button.addEventListener('contextmenu', (e) => e.preventDefault());
  // A short tap (or Enter / Space) asks first; the hold has already sent.
  button.addEventListener('click', () => {
    if (held) { held = false; return; }
    if (!busy) $('#sos-confirm').showModal();
  });
  $('#sos-confirm-no').addEventListener('click', () => $('#sos-confirm').close());
  $('#sos-confirm-yes').addEventListener('click', () => { $('#sos-confirm').close(); trigger(); });
  $('#sos-pick').addEventListener('click', () => showPinMap(t('sos.pick.title')));
  $('#sos-pin-send').addEventListener('click', () => { if (pinned) sendEmergency(pinned, 'pin'); });
  $('#call-retry').addEventListener('click', () => {
    if (last) sendEmergency(last.location, last.source);
    else { busy = false; trigger(); }
  });
}
