// The camera wall: choose cameras from the map or the list; their pictures in a grid, each
// with its state (online, offline, frozen). The choice survives a reload of the page.
// The list puts the cameras that can show a picture first, is searched by code or name,
// and shows a page at a time with how many there are: never a silent cut.
import { pick, t } from './i18n.js';
import { emit, OPEN_STATES, store } from './store.js';
import { CameraTile } from './tiles.js';
import { el, toast } from './ui.js';

const KEY = 'ssz.wall';
const LIVE_KEY = 'ssz.wall.live'; // the tiles showing live video, so a reload keeps them live
const MAX_TILES = 16;
const LIST_PAGE = 100;
let listed = LIST_PAGE; // how many rows of the list are shown (grows with "show more")
// Showable first: live always, live on an alarm, then the owners that share no live view.
const SHOWABLE = { live_always: 0, live_on_alarm: 1, footage_on_request: 2, registry_only: 3 };
const rank = (c) => (c.status === 'retired' ? 4 : SHOWABLE[c.effective_sharing_level] ?? 4);
const neverLive = (c) => rank(c) >= 2;
let chosen = JSON.parse(localStorage.getItem(KEY) || '[]');
const liveTiles = new Set(JSON.parse(localStorage.getItem(LIVE_KEY) || '[]'));

function liveMode(cameraId, mode) {
  if (mode === 'live') liveTiles.add(cameraId);
  else liveTiles.delete(cameraId);
  localStorage.setItem(LIVE_KEY, JSON.stringify([...liveTiles]));
}
const tiles = new Map();
let visible = false;

function save() {
  localStorage.setItem(KEY, JSON.stringify(chosen));
  emit('layout-changed');
}

export function wallChoice() { return [...chosen]; }

// The choice from the user's saved layout (another workstation) or from another window of
// this console (a popped-out wall): shown as chosen there.
export function setWallChoice(ids) {
  chosen = ids.filter((id) => store.cameras.size === 0 || store.cameras.has(id)).slice(0, MAX_TILES);
  localStorage.setItem(KEY, JSON.stringify(chosen));
  renderWall();
}

window.addEventListener('storage', (event) => {
  if (event.key !== KEY) return;
  chosen = JSON.parse(event.newValue || '[]');
  renderWall();
});

export function addToWall(cameraId) {
  if (chosen.includes(cameraId)) { // chosen again (from the map): a refused tile asks again
    tiles.get(cameraId)?.resume();
    return;
  }
  if (chosen.length >= MAX_TILES) {
    toast(t('wall.full', { n: MAX_TILES }), 'warn');
    return;
  }
  chosen.push(cameraId);
  save();
  toast(t('wall.added', { code: store.cameras.get(cameraId)?.code || '' }), 'ok');
  renderWall();
}

export function removeFromWall(cameraId) {
  chosen = chosen.filter((id) => id !== cameraId);
  liveMode(cameraId, 'snapshot');
  save();
  renderWall();
}

export function setWallVisible(on) {
  visible = on;
  renderWall();
}

function matches(camera, words) {
  const text = `${camera.code} ${camera.name_th} ${pick(camera, 'name')}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

function renderList() {
  const words = (document.getElementById('wall-filter').value || '').toLowerCase().split(/\s+/).filter(Boolean);
  const found = [...store.cameras.values()].filter((c) => matches(c, words))
    .sort((a, b) => (rank(a) - rank(b)) || a.code.localeCompare(b.code));
  const rows = found.slice(0, listed).map((c) => el('li', { 'data-sharing': c.effective_sharing_level, class: neverLive(c) ? 'never-live' : null },
    el('label', {}, el('input', { type: 'checkbox', 'data-camera': c.id, checked: chosen.includes(c.id),
      disabled: neverLive(c) && !chosen.includes(c.id) }),
    el('span', { class: 'code' }, c.code),
    el('span', { class: `owner ${c.owner_class}` }, t(`owner.${c.owner_class}`)),
    el('span', { class: 'muted' }, t(`sharing.${c.effective_sharing_level}`)))));
  document.getElementById('wall-cameras').replaceChildren(...rows);
  document.getElementById('wall-count').textContent = found.length
    ? t('wall.count', { shown: rows.length, total: found.length }) : t('wall.none');
  const more = document.getElementById('wall-more');
  more.hidden = rows.length >= found.length;
  more.textContent = t('wall.more', { n: Math.min(LIST_PAGE, found.length - rows.length) });
}

// An open incident docks cameras: tiles whose terms refused a picture ask again.
export function wakeDocked(incident) {
  if (!incident || !OPEN_STATES.includes(incident.state)) return;
  for (const camera of incident.cameras || []) tiles.get(camera.camera_id)?.resume();
}

export function renderWall() {
  const grid = document.getElementById('wall-grid');
  for (const [id, tile] of tiles) {
    if (!visible || !chosen.includes(id)) {
      tile.stop();
      tiles.delete(id);
    }
  }
  if (visible) {
    for (const id of chosen) {
      const camera = store.cameras.get(id);
      if (!camera || tiles.has(id)) continue;
      tiles.set(id, new CameraTile(camera, { removable: true, onRemove: removeFromWall,
        live: liveTiles.has(id), onMode: liveMode }));
    }
    grid.replaceChildren(...chosen.filter((id) => tiles.has(id)).map((id) => tiles.get(id).el));
  }
  grid.dataset.count = String(chosen.length);
  document.getElementById('wall-empty').hidden = chosen.length > 0;
  renderList();
}

export function bindWall() {
  document.getElementById('wall-filter').addEventListener('input', () => { listed = LIST_PAGE; renderList(); });
  document.getElementById('wall-more').addEventListener('click', () => { listed += LIST_PAGE; renderList(); });
  document.getElementById('wall-cameras').addEventListener('change', (event) => {
    const box = event.target.closest('input[data-camera]');
    if (!box) return;
    if (box.checked) addToWall(box.dataset.camera);
    else removeFromWall(box.dataset.camera);
  });
  document.getElementById('wall-clear').addEventListener('click', () => {
    chosen = [];
    save();
    renderWall();
  });
}
