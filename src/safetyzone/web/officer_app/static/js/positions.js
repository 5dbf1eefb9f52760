// The phone's position while on shift: watchPosition, thinned to one fix per few seconds,
// batched into the outbox every ~12 s (every 3 s while an SOS is on: the trail). Each fix
// gets its own id, which the server keeps once: a batch sent twice stores nothing twice.
import { $, newId } from '/pwa/static/js/dom.js';
import { t } from '/pwa/static/js/i18n.js';
import { addFixes } from './outbox.js';

const PATH = '/api/v1/officer/positions';
const KEEP_EVERY_MS = 5000;
const TRAIL_EVERY_MS = 1000;
const FLUSH_MS = 12000;
const TRAIL_FLUSH_MS = 3000;
const FRESH_MS = 30000;

let watch = null;
let flusher = null;
let trail = false;
let buffer = [];
let lastKept = 0;
let last = null; // the newest fix, for a check-in or an SOS
const listeners = new Set();

export function onFix(fn) { listeners.add(fn); }

function banner(text) {
  const node = $('#gps-banner');
  node.textContent = text || '';
  node.hidden = !text;
}

export function fromPosition(pos) {
  const c = pos.coords;
  const fix = {
    id: newId(), at: new Date(pos.timestamp || Date.now()).toISOString(),
    lat: c.latitude, lon: c.longitude, accuracy_m: Math.min(Math.round(c.accuracy || 0), 10000),
  };
  if (Number.isFinite(c.speed) && c.speed >= 0 && c.speed <= 150) fix.speed_mps = c.speed;
  if (Number.isFinite(c.heading) && c.heading >= 0 && c.heading <= 360) fix.heading_deg = c.heading;
  return fix;
}

function seen(pos) {
  const fix = fromPosition(pos);
  last = { ...fix, seenAt: Date.now() };
  banner('');
  listeners.forEach((fn) => fn(last));
  const now = Date.now();
  if (now - lastKept >= (trail ? TRAIL_EVERY_MS : KEEP_EVERY_MS)) {
    lastKept = now;
    buffer.push(fix);
  }
}

function failed(err) {
  banner(err.code === 1 ? t('gps.denied') : t('gps.none'));
}

export function flush() {
  const fixes = buffer;
  buffer = [];
  return addFixes(PATH, fixes).catch(() => { buffer = [...fixes, ...buffer]; });
}

function every(ms) {
  clearInterval(flusher);
  flusher = setInterval(flush, ms);
}

export function startTracking() {
  if (watch !== null || !navigator.geolocation) {
    if (!navigator.geolocation) banner(t('gps.none'));
    return;
  }
  watch = navigator.geolocation.watchPosition(seen, failed,
    { enableHighAccuracy: true, maximumAge: 5000, timeout: 30000 });
  every(trail ? TRAIL_FLUSH_MS : FLUSH_MS);
}

export async function stopTracking() {
  if (watch !== null) navigator.geolocation.clearWatch(watch);
  watch = null;
  clearInterval(flusher);
  await flush();
  banner('');
}

export function setTrail(on) {
  trail = on;
  if (watch !== null) every(on ? TRAIL_FLUSH_MS : FLUSH_MS);
}

// The newest fix if it is fresh, else one asked for now (null when none comes in time).
export function here(timeout = 8000) {
  if (last && Date.now() - last.seenAt < FRESH_MS) return Promise.resolve(last);
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => { seen(pos); resolve(last); },
      (err) => { failed(err); resolve(last); },
      { enableHighAccuracy: true, timeout, maximumAge: 10000 },
    );
  });
}

export function lastFix() { return last; }
