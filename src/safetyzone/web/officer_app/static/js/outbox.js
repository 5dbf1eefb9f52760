// The one outbox: every action the officer takes (status, note, photo, check-in, checkpoint
// log, SOS, positions) is written here first, with the Idempotency-Key made when the officer
// acted, and sent from here in order: an SOS first, then the oldest. It lives in IndexedDB,
// so a dead spot, a closed app or a flat battery loses nothing.
//
// What an answer does to an item:
//   2xx                         sent: removed, its answer handed to the screens
//   no answer, 5xx, 408, 429    kept: tried again later (backoff; at once when the link returns)
//   401                         kept: the login is gone; sent after the officer logs in again
//   any other 4xx               ended: moved to "not sent" with the reason, shown to the officer
// A retry carries the same key (or, for positions and SOS, the same fix ids), so the server
// answers it with the first result: nothing is done twice. An item may carry a file to send
// after it (`then`: a visit's photo goes to the visit the answer names): on a 2xx that file
// becomes its own item in the same transaction that removes the first, so neither is lost.
import { newId } from '/pwa/static/js/dom.js';
import { request } from './api.js';

const DB_NAME = 'ssz-officer';
const WAITING = 'outbox';
const ENDED = 'failed';
const LOCK = 'ssz-officer-outbox';
const MAX_FIXES = 100;
const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 60000;
const TICK_MS = 10000;

let dbOpen = null;
let user = '';
let draining = null;
let again = false; // asked to drain while a round was ending: go round once more
let timer = null;
let inFlight = null; // seq of the item being sent (never merged into)
const changeListeners = new Set();
const resultListeners = new Set();
const loginListeners = new Set();

function db() {
  if (!dbOpen) {
    dbOpen = new Promise((resolve, reject) => {
      const open = indexedDB.open(DB_NAME, 1);
      open.onupgradeneeded = () => {
        open.result.createObjectStore(WAITING, { keyPath: 'seq', autoIncrement: true });
        open.result.createObjectStore(ENDED, { keyPath: 'seq' });
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => { dbOpen = null; reject(open.error); };
    });
  }
  return dbOpen;
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

function asPromise(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function all(store) {
  const tx = (await db()).transaction(store, 'readonly');
  return asPromise(tx.objectStore(store).getAll());
}

export function setUser(name) { user = name || ''; emitChange(); }
export function onChange(fn) { changeListeners.add(fn); }
export function onResult(fn) { resultListeners.add(fn); }
export function onLoginNeeded(fn) { loginListeners.add(fn); }

function emitChange() {
  waiting().then((items) => changeListeners.forEach((fn) => fn(items))).catch(() => {});
}

const byTurn = (a, b) => (a.priority - b.priority) || (a.seq - b.seq);

// The caller's items still to send, in sending order.
export async function waiting() {
  return (await all(WAITING)).filter((item) => item.user === user).sort(byTurn);
}

// Items another login left on this phone (sent when that officer logs in again).
export async function othersWaiting() {
  return (await all(WAITING)).filter((item) => item.user !== user).length;
}

export async function ended() {
  return (await all(ENDED)).filter((item) => item.user === user).sort((a, b) => b.seq - a.seq);
}

export async function dismiss(seq) {
  const tx = (await db()).transaction(ENDED, 'readwrite');
  tx.objectStore(ENDED).delete(seq);
  await done(tx);
  emitChange();
}

// Queue an action. `key`: the Idempotency-Key, made now, the same on every retry (positions
// and SOS carry their own ids instead). A file is kept as bytes, which every browser stores.
async function kept(file, filename) {
  return { bytes: await file.arrayBuffer(), type: file.type, name: filename || file.name || 'photo.jpg' };
}

function fresh(kind, fields) {
  return {
    user, kind, json: null, priority: 1, label: '', meta: {}, ...fields,
    key: newId(), created: new Date().toISOString(), attempts: 0, nextAt: 0, lastError: '',
  };
}

// `then`: {kind, path (with "{id}" for the answer's id), file, label, meta}, queued on success.
export async function add(kind, { path, json, file, filename, idempotent = true, priority = 1, label = '', meta = {}, then = null }) {
  const item = fresh(kind, { path, json: json ?? null, priority, label, meta });
  if (!idempotent) item.key = null;
  if (file) item.file = await kept(file, filename);
  if (then) item.then = { ...then, file: await kept(then.file, then.filename) };
  const tx = (await db()).transaction(WAITING, 'readwrite');
  const seq = await asPromise(tx.objectStore(WAITING).add(item));
  await done(tx);
  item.seq = seq;
  emitChange();
  drain();
  return item;
}

// Positions join the last waiting batch while it has room and is not on its way; else a new
// batch. One transaction, so two callers never fill the same batch past the limit.
export async function addFixes(path, fixes) {
  if (!fixes.length) return;
  const tx = (await db()).transaction(WAITING, 'readwrite');
  const store = tx.objectStore(WAITING);
  const items = await asPromise(store.getAll());
  const tail = items.filter((item) => item.user === user).sort(byTurn).at(-1);
  if (tail && tail.kind === 'positions' && tail.seq !== inFlight
      && tail.json.fixes.length + fixes.length <= MAX_FIXES) {
    tail.json.fixes.push(...fixes);
    store.put(tail);
  } else {
    store.add({
      user, kind: 'positions', path, json: { fixes }, priority: 1, label: '', meta: {},
      key: null, created: new Date().toISOString(), attempts: 0, nextAt: 0, lastError: '',
    });
  }
  await done(tx);
  emitChange();
  drain();
}

async function put(store, item) {
  const tx = (await db()).transaction(store, 'readwrite');
  tx.objectStore(store).put(item);
  await done(tx);
}

// The item leaves the queue; an ended one is kept (without its bytes) to show why; a sent one
// with a file to follow puts that file in the queue in the same transaction.
async function finish(item, ended_, body = null) {
  const tx = (await db()).transaction([WAITING, ENDED], 'readwrite');
  tx.objectStore(WAITING).delete(item.seq);
  if (ended_) {
    const { file, then, ...rest } = item; // the bytes go; what it was and why stays
    tx.objectStore(ENDED).put({ ...rest, hadFile: Boolean(file || then), ...ended_ });
  } else if (item.then && body?.id) {
    const { kind, path, file, label, meta } = item.then;
    tx.objectStore(WAITING).add(fresh(kind, {
      user: item.user, path: path.replace('{id}', encodeURIComponent(body.id)), file, label, meta,
    }));
  }
  await done(tx);
}

async function send(item) {
  const headers = item.key ? { 'Idempotency-Key': item.key } : {};
  if (item.file) {
    const form = new FormData();
    form.append('file', new Blob([item.file.bytes], { type: item.file.type }), item.file.name);
    return request(item.path, { method: 'POST', form, headers, timeout: 120000 });
  }
  return request(item.path, { method: 'POST', json: item.json, headers });
}

function backoff(item, retryAfter) {
  if (retryAfter) return retryAfter * 1000;
  const base = Math.min(RETRY_MIN_MS * 2 ** Math.max(item.attempts - 1, 0), RETRY_MAX_MS);
  return base * (0.8 + Math.random() * 0.4);
}

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(() => drain(), Math.max(ms, 250));
}

async function loop() {
  for (;;) {
    const [item] = await waiting();
    if (!item) return;
    const wait = item.nextAt - Date.now();
    if (wait > 0) { schedule(wait); return; }
    if (!navigator.onLine) return; // the 'online' event starts the next round
    let answer;
    inFlight = item.seq;
    try {
      answer = await send(item);
    } catch (err) {
      answer = { status: err.status || 0, body: err.body || {}, headers: null };
    } finally {
      inFlight = null;
    }
    const { status, body } = answer;
    if (status >= 200 && status < 300) {
      await finish(item, null, body);
      emitChange();
      resultListeners.forEach((fn) => fn({ item, status, body, ok: true }));
      continue;
    }
    if (status === 401) {
      loginListeners.forEach((fn) => fn());
      return;
    }
    if (status === 0 || status >= 500 || status === 408 || status === 429) {
      item.attempts += 1;
      const retryAfter = status === 429 ? Number(answer.headers?.get('Retry-After')) || 0 : 0;
      item.nextAt = Date.now() + backoff(item, retryAfter);
      item.lastError = status ? `HTTP ${status}` : 'network';
      await put(WAITING, item);
      emitChange();
      schedule(item.nextAt - Date.now());
      return;
    }
    await finish(item, { status, problem: body, endedAt: new Date().toISOString() });
    emitChange();
    resultListeners.forEach((fn) => fn({ item, status, body, ok: false }));
  }
}

// Send what is waiting, one tab at a time (a second tab finds the lock taken and leaves it).
export function drain() {
  if (!user) return Promise.resolve();
  if (draining) {
    again = true;
    return draining;
  }
  const run = navigator.locks
    ? () => navigator.locks.request(LOCK, { ifAvailable: true }, (lock) => (lock ? loop() : null))
    : loop;
  draining = run().catch(() => {}).finally(() => {
    draining = null;
    if (again) {
      again = false;
      drain();
    }
  });
  return draining;
}

// The link is back: whatever was waiting for its turn goes now, in order.
export async function retryNow() {
  const items = await waiting();
  for (const item of items.filter((i) => i.nextAt > 0)) {
    item.nextAt = 0;
    await put(WAITING, item);
  }
  return drain();
}

export function start() {
  window.addEventListener('online', () => { retryNow(); });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) drain(); });
  setInterval(() => drain(), TICK_MS);
}
