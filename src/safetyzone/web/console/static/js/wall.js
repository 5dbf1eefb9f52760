// The camera wall: choose cameras from the map or the list; their pictures in a grid, each
// with its state (online, offline, frozen). The choice survives a reload of the page.
import { t } from './i18n.js';
import { store } from './store.js';
import { CameraTile } from './tiles.js';
import { el, toast } from './ui.js';

const KEY = 'ssz.wall';
const MAX_TILES = 16;
let chosen = JSON.parse(localStorage.getItem(KEY) || '[]');
const tiles = new Map();
let visible = false;

function save() { localStorage.setItem(KEY, JSON.stringify(chosen)); }

export function addToWall(cameraId) {
  if (chosen.includes(cameraId)) return;
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
  save();
  renderWall();
}

export function setWallVisible(on) {
  visible = on;
  renderWall();
}

function renderList() {
  const filter = (document.getElementById('wall-filter').value || '').toLowerCase();
  const rows = [...store.cameras.values()]
    .filter((c) => !filter || c.code.toLowerCase().includes(filter) || c.name_th.includes(filter))
    .slice(0, 300)
    .map((c) => el('li', {},
      el('label', {}, el('input', { type: 'checkbox', 'data-camera': c.id, checked: chosen.includes(c.id) }),
        el('span', { class: 'code' }, c.code),
        el('span', { class: `owner ${c.owner_class}` }, t(`owner.${c.owner_class}`)),
        el('span', { class: 'muted' }, t(`sharing.${c.effective_sharing_level}`)))));
  document.getElementById('wall-cameras').replaceChildren(...rows);
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
      tiles.set(id, new CameraTile(camera, { removable: true, onRemove: removeFromWall }));
    }
    grid.replaceChildren(...chosen.filter((id) => tiles.has(id)).map((id) => tiles.get(id).el));
  }
  grid.dataset.count = String(chosen.length);
  document.getElementById('wall-empty').hidden = chosen.length > 0;
  renderList();
}

export function bindWall() {
  document.getElementById('wall-filter').addEventListener('input', renderList);
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
