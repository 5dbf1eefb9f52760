// What the phone keeps: each ticket's code and its caller key (the proof of ownership the
// public API asks for), the last known status, the station found last. Nothing else.

const TICKETS = 'ssz.citizen.tickets';
const SOS = 'ssz.citizen.sos';
const SOS_OPEN_MS = 12 * 3600 * 1000;
const CLOSED = new Set(['closed', 'merged']);

// A caller key: 256 random bits, base64url (43 characters). One per ticket; every retry of
// the same send reuses it, so the server answers a repeat with the first result.
export function newKey() {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function read(name, fallback) {
  try { return JSON.parse(localStorage.getItem(name)) ?? fallback; } catch { return fallback; }
}

function write(name, value) {
  try { localStorage.setItem(name, JSON.stringify(value)); } catch { /* storage full or off */ }
}

export function tickets() { return read(TICKETS, []); }
export function ticket(code) { return tickets().find((item) => item.code === code) || null; }

export function saveTicket(item) {
  const list = tickets();
  const old = list.find((x) => x.code === item.code);
  write(TICKETS, [{ ...old, ...item }, ...list.filter((x) => x.code !== item.code)]);
}

export function forget(code) {
  write(TICKETS, tickets().filter((x) => x.code !== code));
  const sos = read(SOS, null);
  if (sos && sos.code === code) localStorage.removeItem(SOS);
}

// The emergency key: kept while the emergency is open, so a second press merges into it.
export function sosKey() {
  const sos = read(SOS, null);
  const known = sos && sos.code ? ticket(sos.code) : null;
  const open = sos && Date.now() - sos.at < SOS_OPEN_MS && !(known && CLOSED.has(known.status));
  if (open) return sos;
  const fresh = { key: newKey(), at: Date.now(), code: null };
  write(SOS, fresh);
  return fresh;
}

export function sosSent(code) {
  const sos = read(SOS, null);
  if (sos) write(SOS, { ...sos, code });
}

export function dropSos() { localStorage.removeItem(SOS); }

export function remember(name, value) { write(`ssz.citizen.${name}`, value); }
export function recall(name) { return read(`ssz.citizen.${name}`, null); }
