// The partner's login: the same token routes as the console and the officer app. The access
// token lives in memory, the refresh token on the phone (localStorage) so the page survives
// a closed tab; a refresh spends it (one at a time, named by an attempt key so a lost answer
// is answered again rather than revoking the login).
import { newId } from '/pwa/static/js/dom.js';

const REFRESH_KEY = 'ssz.partner.refresh';
const USER_KEY = 'ssz.partner.username';
let access = null;
let expiresAt = 0;
let pending = null;
let attempt = { token: null, key: null };

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
  } catch { /* storage off: the login lasts as long as the page */ }
}

export function hasLogin() { return Boolean(access || read(REFRESH_KEY)); }
export function username() { return read(USER_KEY) || ''; }

function store(pair, user) {
  access = pair.access_token;
  expiresAt = Date.now() + pair.expires_in * 1000;
  write(REFRESH_KEY, pair.refresh_token);
  if (user) write(USER_KEY, user);
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
    if (read(REFRESH_KEY) === token) write(REFRESH_KEY, null);
    throw await problem(response);
  }
  if (!response.ok) throw await problem(response);
  store(await response.json());
}

export function refresh() {
  if (!pending) pending = spend().finally(() => { pending = null; });
  return pending;
}

export async function ensureAccess() {
  if (access && Date.now() < expiresAt - 10000) return access;
  await refresh();
  return access;
}

export function dropAccess() { access = null; }

export function logout() {
  access = null;
  write(REFRESH_KEY, null);
}
