// Log in, pick a unit and start the shift; end it. Starting and ending need an answer there
// and then (which unit, or "your unit is still on an incident"), so they are sent at once,
// not queued; a retry after a lost answer carries the same Idempotency-Key.
import { ApiError, errorText, get, problemText, request } from './api.js';
import { $, el, newId, sleep, toast } from '/pwa/static/js/dom.js';
import { t } from '/pwa/static/js/i18n.js';
import { drain } from './outbox.js';
import { startTracking, stopTracking } from './positions.js';
import { login } from './session.js';
import { state } from './store.js';

let chosen = null;
let go = () => {};

// Send one shift action now; network faults are tried again with the same key.
async function now(path, json) {
  const key = newId();
  for (let n = 1; ; n += 1) {
    let answer;
    try {
      answer = await request(path, { method: 'POST', json, headers: { 'Idempotency-Key': key } });
    } catch (err) {
      if (err.status === 0 && n < 3 && navigator.onLine) { await sleep(1500 * n); continue; }
      throw err;
    }
    if (answer.status >= 500 && n < 3) { await sleep(1500 * n); continue; }
    if (answer.status >= 400) throw new ApiError(answer.status, answer.body);
    return answer.body;
  }
}

function unitRow(unit, stations) {
  const crew = unit.crew.length ? t('shift.crew', { names: unit.crew.join(', ') }) : t('shift.crew.none');
  const input = el('input', { type: 'radio', name: 'unit', value: unit.id, id: `unit-${unit.id}` });
  input.addEventListener('change', () => { chosen = unit.id; $('#shift-start').disabled = false; });
  const where = [unit.code, t(`kind.${unit.kind}`), stations > 1 ? unit.station_code : null];
  return el('label', { class: 'unit-choice', for: `unit-${unit.id}` }, input,
    el('span', { class: 'unit-card' },
      el('span', { class: 'unit-row' }, el('strong', {}, unit.callsign),
        el('span', { class: `pill s-${unit.status}` }, t(`unit.${unit.status}`))),
      el('span', { class: 'muted' }, where.filter(Boolean).join(' · ')),
      el('span', { class: 'muted' }, crew)));
}

export async function showUnits() {
  const error = $('#shift-form .error');
  error.textContent = '';
  $('#shift-who').textContent = state.me ? t('shift.who', { name: state.me.user.display_name }) : '';
  chosen = null;
  $('#shift-start').disabled = true;
  try {
    const units = await get('/api/v1/officer/units');
    const stations = new Set(units.map((u) => u.station_code)).size;
    $('#unit-list').replaceChildren(...units.map((u) => unitRow(u, stations)));
    $('#unit-none').hidden = units.length > 0;
  } catch (err) {
    error.textContent = errorText(err);
  }
}

async function submitLogin(event) {
  event.preventDefault();
  const form = event.target;
  const error = $('.error', form);
  error.textContent = '';
  const button = $('button[type=submit]', form);
  button.disabled = true;
  try {
    await login(form.username.value.trim(), form.password.value);
    form.password.value = '';
    await go('login');
  } catch (err) {
    if (err instanceof TypeError) error.textContent = t('error.network');
    else if (err.status === 401) error.textContent = t('login.failed');
    else error.textContent = problemText(err.status, err.body);
  } finally {
    button.disabled = false;
  }
}

async function startShift(event) {
  event.preventDefault();
  if (!chosen) return;
  const error = $('#shift-form .error');
  error.textContent = '';
  $('#shift-start').disabled = true;
  try {
    await now('/api/v1/officer/shift', { unit_id: chosen });
    await go('shift');
  } catch (err) {
    error.textContent = errorText(err);
    $('#shift-start').disabled = false;
  }
}

async function endShift() {
  $('#end-confirm').close();
  // The last fixes and actions go first: after the end the server refuses them (no shift).
  await stopTracking();
  await drain();
  try {
    await now('/api/v1/officer/shift/end', {});
    toast(t('shift.ended'), 'ok');
    await go('ended');
  } catch (err) {
    toast(errorText(err), 'error');
    startTracking();
  }
}

export function crewLine(shift) {
  return shift ? t('shift.crew', { names: shift.crew.join(', ') }) : '';
}

export function initShift(onStep) {
  go = onStep;
  $('#login-form').addEventListener('submit', submitLogin);
  $('#shift-form').addEventListener('submit', startShift);
  $('#shift-end').addEventListener('click', () => {
    if (!navigator.onLine) { toast(t('shift.end.offline'), 'error'); return; }
    $('#end-confirm').showModal();
  });
  $('#end-confirm-no').addEventListener('click', () => $('#end-confirm').close());
  $('#end-confirm-yes').addEventListener('click', endShift);
}
