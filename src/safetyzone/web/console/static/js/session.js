// The login session: access token in memory only, refresh token in sessionStorage (gone
// when the tab closes), refreshed before it expires. A 401 first tries the refresh token,
// then asks the person to log in again in a dialog: the page, and so the view, stays.

const REFRESH_KEY = 'ssz.refresh';
const USER_KEY = 'ssz.username';
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
export function hasRefreshToken() { return Boolean(sessionStorage.getItem(REFRESH_KEY)); }
export function setReloginHandler(fn) { askPerson = fn; }

function store(pair) {
  access = pair.access_token;
  sessionStorage.setItem(REFRESH_KEY, pair.refresh_token);
  expiresAt = Date.now() + pair.expires_in * 1000;
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
  store(await response.json());
}

export async function refresh() {
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
