// PTZ controls for a camera with pan, tilt and zoom: arrows that move the camera while held
// (each press repeats the server's one-second continuous move, release stops it), zoom, the
// device's presets (go to one; keep the current view as a new one, with its heading if known).
// Every action is audited by the server; the coverage layer redraws after each, since a move
// turns the camera's cone. See docs/video/ptz.md.
import { t } from './i18n.js';
import { api, ApiError } from './session.js';
import { el } from './ui.js';

const $ = (id) => document.getElementById(id);
const REPEAT_MS = 700; // under the server's one-second move, so a held arrow keeps turning
const ARROWS = [
  ['up', '▲', { tilt: 0.5 }], ['left', '◀', { pan: -0.5 }], ['stop', '■', null],
  ['right', '▶', { pan: 0.5 }], ['down', '▼', { tilt: -0.5 }],
  ['zoom_in', '+', { zoom: 0.5 }], ['zoom_out', '−', { zoom: -0.5 }],
];
let camera = null;
let holding = null;

// The camera gave no answer: said in the user's language (the server's reason, for those
// who set camera addresses, is on the camera's health record), once, under the controls.
function failure(err) {
  return err.body?.code === 'ptz-unavailable' ? t('ptz.unavailable') : err.message;
}

function say(text, error = false) {
  const out = $('ptz-status');
  out.textContent = text;
  out.classList.toggle('error', error);
}

function moved(answer) {
  say(answer.heading_deg === null ? t('ptz.heading_unknown')
    : t('ptz.heading', { h: Math.round(answer.heading_deg) }));
  document.dispatchEvent(new CustomEvent('ssz:camera-moved', { detail: { id: camera.id } }));
}

async function call(path, json) {
  if (!camera) return null;
  try {
    return await api(`/api/v1/cameras/${encodeURIComponent(camera.id)}/ptz${path}`, { method: 'POST', json });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    say(failure(err), true);
    return null;
  }
}

function release() {
  if (!holding) return;
  clearInterval(holding);
  holding = null;
  call('/stop').then((answer) => { if (answer) moved(answer); });
}

function hold(velocity) {
  release();
  const send = () => call('/move', velocity);
  send().then((answer) => { if (answer) say(t('ptz.moving')); });
  holding = setInterval(send, REPEAT_MS);
}

function pad() {
  return el('div', { class: 'ptz-pad', role: 'group', 'aria-label': t('ptz.controls') },
    ARROWS.map(([key, mark, velocity]) => {
      const button = el('button', { type: 'button', class: `btn ptz-${key}`, 'data-ptz-action': key, 'aria-label': t(`ptz.${key}`), title: t(`ptz.${key}`) }, mark);
      if (velocity) {
        button.addEventListener('pointerdown', (event) => { event.preventDefault(); hold(velocity); });
        for (const end of ['pointerup', 'pointerleave', 'pointercancel']) button.addEventListener(end, release);
        button.addEventListener('keydown', (event) => { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); if (!holding) hold(velocity); } });
        button.addEventListener('keyup', release);
      } else {
        button.addEventListener('click', () => call('/stop').then((answer) => { if (answer) moved(answer); }));
      }
      return button;
    }));
}

async function presets() {
  const list = $('ptz-presets');
  list.replaceChildren(el('li', { class: 'muted' }, t('ptz.loading')));
  let found;
  try {
    found = await api(`/api/v1/cameras/${encodeURIComponent(camera.id)}/ptz/presets`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    list.replaceChildren(); // the reason is said once, under the controls
    say(failure(err), true);
    return;
  }
  list.replaceChildren(...(found.length ? found.map((p) => {
    const go = el('button', { type: 'button', class: 'btn small', 'data-preset': p.token }, t('ptz.goto'));
    go.addEventListener('click', async () => {
      const answer = await call(`/presets/${encodeURIComponent(p.token)}/goto`);
      if (answer) moved(answer);
    });
    const heading = p.heading_deg === null ? t('ptz.heading_unknown') : t('ptz.heading', { h: Math.round(p.heading_deg) });
    return el('li', {}, el('span', {}, `${p.name} · ${heading}`), go);
  }) : [el('li', { class: 'muted' }, t('ptz.no_presets'))]));
}

async function savePreset(event) {
  event.preventDefault();
  const name = $('ptz-preset-name').value.trim();
  const heading = $('ptz-preset-heading').value;
  if (!name) return;
  const answer = await call('/presets', { name, heading_deg: heading === '' ? null : Number(heading) });
  if (answer) {
    $('ptz-preset-name').value = '';
    $('ptz-preset-heading').value = '';
    moved(answer);
    await presets();
  }
}

export function openPtz(target) {
  camera = target;
  $('ptz-title').textContent = t('ptz.title', { c: target.code });
  $('ptz-pad').replaceChildren(pad());
  say(target.heading_deg === null ? t('ptz.heading_unknown') : t('ptz.heading', { h: Math.round(target.heading_deg) }));
  $('ptz').showModal();
  presets().catch(() => {});
}

export function bindPtz() {
  $('ptz-preset-form').addEventListener('submit', savePreset);
  $('ptz').addEventListener('close', () => { release(); camera = null; });
}
