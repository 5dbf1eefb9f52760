// What an operator does to a citizen's item, each one request to /api/v1/citizen; the
// answer (the item as it now is) replaces the console's copy. Refusals become clear messages.
import { t } from './i18n.js';
import { api, ApiError } from './session.js';
import { emit, upsertCitizen } from './store.js';
import { toast } from './ui.js';

const base = (id) => `/api/v1/citizen/items/${encodeURIComponent(id)}`;

// Only an answer that is an item replaces the console's copy (the feed brings the rest).
function applied(item) {
  if (item && item.id && item.code && item.state) {
    upsertCitizen(item);
    emit('citizen', item);
  }
  return item;
}

// Another operator got there first (409), or the item left this user's scope (404).
async function refused(err, id) {
  if (!(err instanceof ApiError)) throw err;
  if (err.status === 409) {
    try { applied(await api(base(id))); } catch { /* keep the server's words */ }
    toast(t('citizen.conflict'), 'warn', 'conflict');
    return null;
  }
  const detail = err.body.detail || err.message;
  const problems = (err.body.errors || err.body.problems || []).map((p) => p.detail || p.msg).filter(Boolean);
  toast(`${t('error.action')}: ${[detail, ...problems].join(' · ')}`, 'error', 'citizen-error');
  return null;
}

async function post(id, path, json, doneKey) {
  try {
    const item = applied(await api(`${base(id)}${path}`, { method: 'POST', json }));
    if (doneKey) toast(t(doneKey), 'ok', doneKey);
    return item || true;
  } catch (err) { return refused(err, id); }
}

export function acknowledgeCitizen(id) {
  return post(id, '/acknowledge', {}, 'citizen.toast.acknowledged');
}

export function replyCitizen(id, text, askInfo) {
  return post(id, '/messages', { text, ask_info: askInfo }, askInfo ? 'citizen.toast.asked' : 'citizen.toast.replied');
}

export function mergeCitizen(id, into) {
  return post(id, '/merge', { into }, 'citizen.toast.merged');
}

export function citizenToIncident(id, priority) {
  return post(id, '/incident', { priority }, 'citizen.toast.incident');
}

export function closeWithDisposition(id, disposition, note) {
  const body = { disposition };
  if (note) body.note = note;
  return post(id, '/close', body, 'citizen.toast.closed');
}

export function assignTip(id, username) {
  return post(id, '/assign', { username }, 'citizen.toast.assigned');
}

// The tipster's identity: the server lets only the assigned investigator read it, and
// records every read in the audit trail.
export async function tipIdentity(id) {
  try {
    return await api(`${base(id)}/identity`);
  } catch (err) { return refused(err, id); }
}

// A photo or voice note, fetched with the user's token (an <img src> cannot carry it) into
// a blob: URL that only this page can use. The caller revokes it when the panel moves on.
export async function mediaUrl(id, mediaId, { thumb = false } = {}) {
  const response = await api(`${base(id)}/media/${encodeURIComponent(mediaId)}${thumb ? '?thumb=1' : ''}`, { raw: true });
  if (!response.ok) throw new ApiError(response.status, {});
  return URL.createObjectURL(await response.blob());
}
