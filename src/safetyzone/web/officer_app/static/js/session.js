// The login: the access token in memory, the refresh token on the phone (localStorage), so
// a shift survives the phone closing the app in a pocket; it lives one shift (12 h) and is
// spent by its first use. Refreshed at 80 % of the access token's life, and whenever the
// API answers 401. Refreshes are serialised across the app's tabs (Web Locks) and read the
// newest refresh token inside the lock: a token spent twice would revoke the whole login.
// Each refresh names its attempt (a key kept in memory with the token it was made for): when
// a dead spot swallows the answer, the retry with the same token and key gets that answer
// again from the server instead of a revoked login (docs/security/auth.md).

import { newId } from '/pwa/static/js/dom.js';

const REFRESH_KEY = 'ssz.officer.refresh';
const USER_KEY = 'ssz.officer.username';
const LOCK = 'ssz-officer-refresh';
const RETRY_MS = 5000;
let access = null;
let expiresAt = 0;
let timer = null;
let recovering = null;
let attempt = { token: null, key: null };
const listeners = new Set();

export class AuthError extends Error {
  constructor(status, body = {}) {
    super(body.detail || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

function read(key) { try { return localStorage.getItem(key); } catch { return null; } }
function write(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch { /* storage off: the session lasts as long as the page */ }
}

export function onSession(fn) { listeners.add(fn); }
export function username() { return read(USER_KEY) || ''; }
export function hasLogin() { return Boolean(access || read(REFRESH_KEY)); }
export function accessToken() { return access; }

function store(pair, user) {
  access = pair.access_token;
  write(REFRESH_KEY, pair.refresh_token);
  if (user) write(USER_KEY, user);
  expiresAt = Date.now() + pair.expires_in * 1000;
  clearTimeout(timer);
  const lead = Math.max(pair.expires_in * 200, 5000);
  renewIn(Math.max(pair.expires_in * 1000 - lead, 1000));
}

// Renews ahead of expiry; a renewal lost to the network (a dead spot, an answer cut on its
// way back) is tried again soon with the same attempt key, while the login is still good.
function renewIn(ms) {
  timer = setTimeout(() => {
    refresh().catch((error) => {
      const refused = error instanceof AuthError && (error.status === 401 || error.status === 403);
      if (!refused && read(REFRESH_KEY)) renewIn(RETRY_MS);
    });
  }, ms);
}

async function problem(response) {
  let body = {};
  try { body = await response.json(); } catch { /* not JSON */ }
  return new AuthError(response.status, body);
}

export async function login(user, password) {
  const response = await fetch('/api/v1/auth/token', {
    method: 'POST', body: new URLSearchParams({ username: user, password }), cache: 'no-store',
  });
  if (!response.ok) throw await problem(response);
  store(await response.json(), user);
  listeners.forEach((fn) => fn('login'));
}

async function spend() {
  const token = read(REFRESH_KEY);
  if (!token) throw new AuthError(401, {});
  if (attempt.token !== token) attempt = { token, key: newId() };
  const response = await fetch('/api/v1/auth/refresh', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: token, attempt: attempt.key }), cache: 'no-store',
  });
  if (response.status === 401 || response.status === 403) {
    access = null;
    if (read(REFRESH_KEY) === token) write(REFRESH_KEY, null); // revoked or expired: log in
    listeners.forEach((fn) => fn('expired'));
    throw await problem(response);
  }
  if (!response.ok) throw await problem(response); // a 5xx or 429: try again later
  store(await response.json());
}

// A new access token; throws AuthError(401) when the person must log in again, and a
// TypeError (network) when the link is down (the login is kept for later).
export function refresh() {
  if (!recovering) {
    const run = navigator.locks ? () => navigator.locks.request(LOCK, spend) : spend;
    recovering = run().finally(() => { recovering = null; });
  }
  return recovering;
}

export async function ensureAccess() {
  if (access && Date.now() < expiresAt - 5000) return access;
  await refresh();
  return access;
}

export function dropAccess() { access = null; }

export function logout() {
  access = null;
  clearTimeout(timer);
  write(REFRESH_KEY, null);
  listeners.forEach((fn) => fn('logout'));
}
