// The officer app: one page, one screen at a time. /officer is home (the unit, its status,
// the assigned incident, SOS); #checkin, #plan, #homewatch (#homewatch/<request id> for one
// house) and #outbox pick the other screens. Logged out it shows the login; on no shift, the
// unit picker. A volunteer (post duty only) gets the post desk instead of all of these.
import { ApiError } from './api.js';
import { initCheckin, renderRecent, stopScan } from './checkin.js';
import { $, toast } from '/pwa/static/js/dom.js';
import { initHome, renderHome } from './home.js';
import { initHomeWatch, showHomeWatch } from './homewatch.js';
import { currentLang, loadLang, onLangChange, t } from '/pwa/static/js/i18n.js';
import { drain, onLoginNeeded, setUser, start as startOutbox } from './outbox.js';
import { initOutboxView, render as renderOutbox } from './outboxview.js';
import { initPlan, showPlanScreen } from './plan.js';
import { initPosts, refreshPosts, showPosts } from './posts.js';
import { startTracking, stopTracking } from './positions.js';
import { hasLogin, logout, onSession, username } from './session.js';
import { initShift, showUnits } from './shift.js';
import { initSos } from './sos.js';
import { loadMe, loadRole, onMe, setMe, state } from './store.js';

const SCREENS = ['login', 'shift', 'home', 'checkin', 'plan', 'homewatch', 'posts', 'outbox'];
const TABS = ['checkin', 'plan', 'homewatch', 'outbox'];
const POLL_MS = 10000;
const ME_KEY = 'ssz.officer.me';

function wanted() {
  const hash = location.hash.slice(1).split('/')[0];
  return TABS.includes(hash) ? hash : 'home';
}

function screenFor() {
  if (!hasLogin()) return 'login';
  if (state.role === 'volunteer') return 'posts';
  const asked = wanted();
  if (asked === 'outbox') return asked;
  if (!state.me?.shift) return 'shift';
  return asked;
}

function show() {
  const screen = screenFor();
  const before = document.body.dataset.screen;
  for (const name of SCREENS) $(`#screen-${name}`).hidden = name !== screen;
  document.body.dataset.screen = screen;
  document.body.dataset.shift = state.me?.shift ? 'on' : 'none';
  document.body.dataset.login = hasLogin() ? 'yes' : 'no';
  document.body.dataset.role = state.role || '';
  document.querySelectorAll('.tabs .tab').forEach((tab) => {
    if (tab.dataset.go === screen) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  });
  if (before === 'checkin' && screen !== 'checkin') stopScan();
  if (screen === 'login') $('#username').value = $('#username').value || username();
  else if (screen === 'shift') showUnits();
  else if (screen === 'home') renderHome();
  else if (screen === 'checkin') renderRecent();
  else if (screen === 'plan') showPlanScreen();
  else if (screen === 'homewatch') showHomeWatch();
  else if (screen === 'posts') {
    $('#posts-who').textContent = t('shift.who', { name: state.displayName || username() });
    showPosts();
  }
  else if (screen === 'outbox') renderOutbox();
  if (before !== screen) window.scrollTo(0, 0);
}

function navigate(path) {
  history.pushState(null, '', path);
  show();
}

function links(event) {
  const link = event.target.closest('[data-go]');
  if (!link || event.defaultPrevented || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  const go = link.dataset.go;
  const house = link.dataset.house ? `/${encodeURIComponent(link.dataset.house)}` : '';
  navigate(go === 'home' ? '/officer' : `/officer#${go}${house}`);
}

function keepMe(me) {
  const kept = { user: username(), me, role: state.role, name: state.displayName };
  try { localStorage.setItem(ME_KEY, JSON.stringify(kept)); } catch { /* storage off */ }
}

// The last known state, so the app opens in a dead spot where it was (marked as such).
function restoreMe() {
  try {
    const kept = JSON.parse(localStorage.getItem(ME_KEY));
    if (!kept || kept.user !== username()) return;
    state.role = kept.role || null;
    state.displayName = kept.name || '';
    if (kept.me) setMe(kept.me);
  } catch { /* nothing kept */ }
}

async function refreshMe() {
  try {
    if (!state.role || state.role === 'none') await loadRole();
    if (state.role === 'none') {
      toast(t('error.not_officer'), 'error');
      logout();
      return;
    }
    if (state.role === 'volunteer') {
      keepMe(null);
      if (document.body.dataset.screen === 'posts') await refreshPosts();
      return;
    }
    await loadMe();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) loginAgain();
    else if (err instanceof ApiError && err.status === 403) {
      toast(t('error.not_officer'), 'error');
      logout();
    }
  }
}

function loginAgain() {
  logout();
  $('#login-form .error').textContent = t('login.again');
  show();
}

function network() {
  $('#offline').hidden = navigator.onLine;
}

// Steps of the login and shift forms: each ends by reading /me again and showing the screen.
async function step(what) {
  if (what === 'login') {
    setUser(username());
    await refreshMe();
    drain();
  } else if (what === 'shift') {
    await refreshMe();
    history.replaceState(null, '', '/officer');
  } else if (what === 'ended') {
    await stopTracking();
    await refreshMe();
  }
  show();
}

function poll() {
  if (hasLogin() && navigator.onLine && !document.hidden) refreshMe();
}

async function main() {
  await loadLang();
  initShift(step);
  initHome();
  initSos();
  initCheckin();
  initPlan();
  initHomeWatch();
  initPosts();
  initOutboxView();
  startOutbox();
  onMe((me) => {
    keepMe(me);
    if (me?.shift) startTracking();
    else stopTracking();
    if (document.body.dataset.screen !== screenFor()) show();
  });
  onSession((what) => {
    if (what === 'logout') {
      stopTracking();
      setUser('');
      state.me = null;
      state.loadedAt = 0;
      state.role = null;
    }
  });
  onLoginNeeded(loginAgain);
  document.addEventListener('click', links);
  window.addEventListener('popstate', show);
  window.addEventListener('online', () => { network(); poll(); });
  window.addEventListener('offline', network);
  document.addEventListener('visibilitychange', poll);
  for (const id of ['#logout-1', '#logout-2', '#logout-3']) {
    $(id).addEventListener('click', () => { logout(); show(); });
  }
  $('#lang-switch').addEventListener('click', () => loadLang(currentLang() === 'th' ? 'en' : 'th'));
  onLangChange(() => { show(); renderOutbox(); });
  network();
  if (hasLogin()) {
    setUser(username());
    restoreMe();
    await refreshMe();
  }
  show();
  setInterval(poll, POLL_MS);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/officer/sw.js', { scope: '/officer' }).catch(() => {});
  }
  document.body.dataset.ready = 'true';
}

main();
