// The login session: access token in memory only, refresh token in sessionStorage (gone
// when the tab closes), refreshed before it expires. A 401 first tries the refresh token,
// then asks the person to log in again in a dialog: the page, and so the view, stays.
//
// A popped-out window (the camera wall or the map on a second screen) shares the session of
// the console that opened it without ever holding its refresh token: a refresh token is
// spent by its first use, and two windows refreshing one would revoke the login. So only the
// opener refreshes, and it hands each new access token to its pop-outs over a
// BroadcastChannel named by a random id only these windows know (sessionStorage is copied to
// a window opened by this page). A pop-out whose opener is gone asks for the password and
// goes on with a login of its own.

const REFRESH_KEY = 'ssz.refresh';
const USER_KEY = 'ssz.username';
const CHANNEL_KEY = 'ssz.channel';
const follower = new URLSearchParams(location.search).has('popout');
let channel = null;
let access = null;
let expiresAt = 0;
let timer = null;
let recovering = null;
let askPerson = async () => { throw new Error('not logged in'); };
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, body) {
    super(body.detail || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function problem(response) {
  let body = {};
  try { body = await response.json(); } catch { /* not JSON */ }
  return new ApiError(response.status, body);
}

export function onTokens(fn) { listeners.add(fn); }
export function accessToken() { return access; }
export function username() { return sessionStorage.getItem(USER_KEY) || ''; }
export function hasRefreshToken() { return follower || Boolean(sessionStorage.getItem(REFRESH_KEY)); }
export function setReloginHandler(fn) { askPerson = fn; }

function openChannel() {
  if (channel || typeof BroadcastChannel === 'undefined') return;
  let id = sessionStorage.getItem(CHANNEL_KEY);
  if (!id) {
    id = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
    sessionStorage.setItem(CHANNEL_KEY, id);
  }
  channel = new BroadcastChannel(`ssz-session-${id}`);
  channel.onmessage = (event) => {
    const message = event.data || {};
    if (message.type === 'hello' && !follower && access) share();
    else if (message.type === 'access' && follower && typeof message.access === 'string') {
      adopt(message.access, message.expires_at);
    }
  };
}

// The opener: hand the current access token (never the refresh token) to its pop-outs.
function share() {
  channel?.postMessage({ type: 'access', access, expires_at: expiresAt });
}

let waitingForAccess = null;
function adopt(token, until) {
  access = token;
  expiresAt = until;
  listeners.forEach((fn) => fn(access));
  if (waitingForAccess) { waitingForAccess(); waitingForAccess = null; }
}

// A pop-out asks the opener for the access token; null when no opener answers.
function askOpener(ms = 2000) {
  openChannel();
  if (!channel) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timeout = setTimeout(() => { waitingForAccess = null; resolve(false); }, ms);
    waitingForAccess = () => { clearTimeout(timeout); resolve(true); };
    channel.postMessage({ type: 'hello' });
  });
}

export function isPopout() { return follower; }

function store(pair) {
  access = pair.access_token;
  sessionStorage.setItem(REFRESH_KEY, pair.refresh_token);
  expiresAt = Date.now() + pair.expires_in * 1000;
  if (!follower || ownLogin) {
    openChannel();
    share();
  }
  clearTimeout(timer);
  // Refresh when 80 % of the lifetime has passed (at least 5 s before the end).
  const lead = Math.max(pair.expires_in * 200, 5000);
  timer = setTimeout(() => { refresh().catch(() => { access = null; }); },
    Math.max(pair.expires_in * 1000 - lead, 1000));
  listeners.forEach((fn) => fn(access));
}

export async function login(user, password) {
  const response = await fetch('/api/v1/auth/token', {
    method: 'POST', body: new URLSearchParams({ username: user, password }),
  });
  if (!response.ok) throw await problem(response);
  sessionStorage.setItem(USER_KEY, user);
  if (follower) {
    // From now on this window has its own login and refreshes it; a new channel id, so it
    // never answers or listens to the opener's windows.
    ownLogin = true;
    sessionStorage.removeItem(CHANNEL_KEY);
    channel?.close();
    channel = null;
  }
  store(await response.json());
}

let ownLogin = false; // a pop-out that logged in itself (its opener was gone)

export async function refresh() {
  if (follower && !ownLogin) {
    // Never the opener's refresh token (copied into this window's storage): ask for access.
    sessionStorage.removeItem(REFRESH_KEY);
    if (await askOpener()) return;
    throw new ApiError(401, { detail: 'the console that opened this window is gone' });
  }
  const token = sessionStorage.getItem(REFRESH_KEY);
  if (!token) throw new ApiError(401, { detail: 'no refresh token' });
  const response = await fetch('/api/v1/auth/refresh', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: token }),
  });
  if (!response.ok) {
    access = null;
    throw await problem(response);
  }
  store(await response.json());
}

// A one-time ticket (30 s) for the live feed's WebSocket, so no token rides in its URL.
export async function streamTicket() {
  const body = await api('/api/v1/stream/tickets', { method: 'POST' });
  return body.ticket;
}

export function logout() {
  access = null;
  clearTimeout(timer);
  sessionStorage.removeItem(REFRESH_KEY);
}

// Every caller that meets a 401 waits on the same recovery: one refresh, or one dialog.
export function recover() {
  if (!recovering) {
    recovering = (async () => {
      try { await refresh(); } catch { await askPerson(); }
    })().finally(() => { recovering = null; });
  }
  return recovering;
}

export async function ensureSession() {
  if (access && Date.now() < expiresAt - 2000) return;
  await recover();
}

export async function api(path, options = {}) {
  const { method = 'GET', json, raw = false, signal, retry = true, headers: extra = {} } = options;
  if (!access) await recover();
  const headers = { ...extra, Authorization: `Bearer ${access}` };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  const response = await fetch(path, { method, headers, body, signal });
  if (response.status === 401 && retry) {
    access = null;
    await recover();
    return api(path, { ...options, retry: false });
  }
  if (raw) return response;
  if (!response.ok) throw await problem(response);
  return response.status === 204 ? null : response.json();
}
