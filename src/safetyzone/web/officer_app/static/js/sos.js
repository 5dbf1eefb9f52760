// The officer's SOS: "officer in danger", a P1 incident for the unit at the phone's position.
// A hold of two seconds (or a tap and a confirm) sends, so a phone in a pocket does not. It
// goes first in the outbox, and from then on the phone sends its position every few seconds
// (the trail) until the officer says they are safe. While it has not reached the server the
// banner says so, and offers 191: the radio and the phone are the fallback, never silence.
import { problemText } from './api.js';
import { $, newId } from '/pwa/static/js/dom.js';
import { t } from '/pwa/static/js/i18n.js';
import { add, onChange, onResult } from './outbox.js';
import { flush, here, setTrail } from './positions.js';

const PATH = '/api/v1/officer/sos';
const SAFE_PATH = '/api/v1/officer/sos/safe';
const HOLD_MS = 2000;
const KEPT = 'ssz.officer.sos';
const TRAIL_FOR_MS = 60 * 60 * 1000;
let timer = null;
let held = false;
let busy = false;
let phase = null; // null | 'locating' | 'waiting' | 'sent' | 'failed'

function banner(text) {
  $('#sos-banner').hidden = !phase;
  $('#sos-banner-text').textContent = text;
  document.body.dataset.sos = phase || '';
}

function show(next, text) {
  phase = next;
  banner(text);
}

function remember(value) {
  try {
    if (value) localStorage.setItem(KEPT, JSON.stringify(value));
    else localStorage.removeItem(KEPT);
  } catch { /* storage off */ }
}

async function trigger() {
  if (busy) return;
  busy = true;
  navigator.vibrate?.([300, 100, 300]);
  setTrail(true);
  show('locating', t('sos.locating'));
  let fix = await here(5000);
  while (!fix) { // no position yet: say so, keep asking; the radio is the way meanwhile
    show('locating', t('sos.nofix'));
    fix = await here(10000);
  }
  const sos = { id: newId(), at: new Date().toISOString(), lat: fix.lat, lon: fix.lon, accuracy_m: fix.accuracy_m };
  remember({ at: Date.now(), id: sos.id, sent: false });
  show('waiting', t(navigator.onLine ? 'sos.sending' : 'sos.offline'));
  await add('sos', { path: PATH, json: sos, idempotent: false, priority: 0, label: 'SOS' });
  flush();
  busy = false;
}

function startHold(event) {
  if (busy || (event.button !== undefined && event.button > 0)) return;
  held = false;
  $('#sos').classList.add('holding');
  timer = setTimeout(() => {
    held = true;
    $('#sos').classList.remove('holding');
    trigger();
  }, HOLD_MS);
}

function endHold() {
  clearTimeout(timer);
  $('#sos').classList.remove('holding');
}

// "I am safe": the trail stops, and the console hears it on the SOS incident's timeline
// (through the outbox, after the SOS itself; the operator confirms by radio and closes).
async function safe() {
  const wasSent = phase === 'sent' || phase === 'waiting';
  setTrail(false);
  remember(null);
  show(null, '');
  if (wasSent) await add('safe', { path: SAFE_PATH, json: {}, label: t('sos.safe') });
}

export function initSos() {
  const button = $('#sos');
  button.addEventListener('pointerdown', startHold);
  for (const name of ['pointerup', 'pointerleave', 'pointercancel']) button.addEventListener(name, endHold);
  button.addEventListener('contextmenu', (e) => e.preventDefault());
  button.addEventListener('click', () => {
    if (held) { held = false; return; }
    if (!busy) $('#sos-confirm').showModal();
  });
  $('#sos-confirm-no').addEventListener('click', () => $('#sos-confirm').close());
  $('#sos-confirm-yes').addEventListener('click', () => { $('#sos-confirm').close(); trigger(); });
  $('#sos-safe').addEventListener('click', safe);
  onResult(({ item, ok, status, body }) => {
    if (item.kind !== 'sos') return;
    if (ok) {
      remember({ at: Date.now(), id: item.json.id, sent: true });
      show('sent', t('sos.sent'));
    } else {
      show('failed', t('sos.refused', { why: problemText(status, body) }));
    }
  });
  onChange((items) => {
    if (phase === 'waiting' && items.some((i) => i.kind === 'sos')) {
      show('waiting', t(navigator.onLine ? 'sos.sending' : 'sos.offline'));
    }
  });
  // An SOS of the last hour survives a reload: the trail goes on until the officer is safe.
  let kept = null;
  try { kept = JSON.parse(localStorage.getItem(KEPT)); } catch { kept = null; }
  if (kept && Date.now() - kept.at < TRAIL_FOR_MS) {
    setTrail(true);
    show(kept.sent ? 'sent' : 'waiting', t(kept.sent ? 'sos.sent' : 'sos.offline'));
  } else remember(null);
}

export function sosActive() { return Boolean(phase); }
