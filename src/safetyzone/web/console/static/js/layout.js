// The user's layout, kept on the server (GET/PUT /api/v1/auth/me/layout) so it follows them
// to any workstation: the wall's cameras, the map's layers, and where each popped-out view's
// window sits. A view pops out into its own window on another screen (the camera wall on the
// wall display, the map beside the queue); it shares this console's session (session.js).
import { t } from './i18n.js';
import { api, isPopout } from './session.js';
import { on } from './store.js';
import { toast } from './ui.js';
import { setWallChoice, wallChoice } from './wall.js';

const POPOUTS = ['wall', 'map'];
let layout = { wall_cameras: [], layers: {}, windows: [] };
let saveTimer = null;
let ready = false; // nothing is saved before the saved layout was read (it would erase it)

function currentLayers() { return JSON.parse(localStorage.getItem('ssz.layers') || '{}'); }

function saveSoon() {
  if (!ready) return;
  clearTimeout(saveTimer);
  saveTimer = setTimeout(async () => {
    try {
      // The wall and the layers live in localStorage, shared by this console's windows, so
      // every window holds the latest; the windows' places come from the server, where each
      // pop-out keeps its own entry up to date.
      const server = await api('/api/v1/auth/me/layout');
      const mine = layout.windows.filter((w) => w.view === document.body.dataset.popout);
      const windows = [...server.windows.filter((w) => !mine.some((m) => m.view === w.view)), ...mine];
      layout = { wall_cameras: wallChoice(), layers: currentLayers(), windows };
      await api('/api/v1/auth/me/layout', { method: 'PUT', json: layout });
    } catch (err) {
      toast(`${t('layout.not_saved')}: ${err.message}`, 'warn');
    }
  }, 800);
}

// Read the saved layout and apply it; ``applyLayers`` toggles the map's layers (app.js).
export async function loadLayout(applyLayers) {
  try {
    const saved = await api('/api/v1/auth/me/layout');
    if (saved.updated_at) {
      layout = { wall_cameras: saved.wall_cameras, layers: saved.layers, windows: saved.windows };
      setWallChoice(saved.wall_cameras);
      applyLayers(saved.layers);
    }
  } finally {
    ready = true;
  }
}

function features(view) {
  const w = layout.windows.find((x) => x.view === view);
  const geometry = w || { left: window.screenX + 60, top: window.screenY + 60, width: 1280, height: 800 };
  return `popup,left=${geometry.left},top=${geometry.top},width=${geometry.width},height=${geometry.height}`;
}

export function popOut(view) {
  const opened = window.open(`/console?popout=${view}`, `ssz-${view}`, features(view));
  if (!opened) toast(t('layout.popup_blocked'), 'warn');
}

// In a popped-out window: remember where it sits, so it opens there next time.
function trackWindow(view) {
  let last = '';
  const remember = () => {
    const w = { view, left: window.screenX, top: window.screenY, width: window.outerWidth, height: window.outerHeight };
    const key = JSON.stringify(w);
    if (key === last || w.width < 200 || w.height < 200) return;
    last = key;
    layout = { ...layout, windows: [...layout.windows.filter((x) => x.view !== view), w] };
    saveSoon();
  };
  window.addEventListener('resize', remember);
  setInterval(remember, 5000); // a moved window fires no event
}

export function bindLayout() {
  on('layout-changed', saveSoon);
  document.querySelectorAll('button[data-popout]').forEach((button) => {
    button.hidden = isPopout();
    button.addEventListener('click', () => popOut(button.dataset.popout));
  });
  const view = new URLSearchParams(location.search).get('popout');
  if (POPOUTS.includes(view)) {
    document.body.dataset.popout = view;
    trackWindow(view);
  }
  return POPOUTS.includes(view) ? view : null;
}
