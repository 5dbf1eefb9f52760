// What an operator does to an incident, each one request; refusals become clear messages.
import { t } from './i18n.js';
import { api, ApiError } from './session.js';
import { emit, store, upsertIncident } from './store.js';
import { confirmAction, toast } from './ui.js';

function applied(incident) {
  upsertIncident(incident);
  emit('incident', incident);
  return incident;
}

// Two operators on one incident: the second is told who got there first.
async function refused(err, id) {
  if (!(err instanceof ApiError)) throw err;
  if (err.status === 409) {
    let who = null;
    try {
      const fresh = await api(`/api/v1/incidents/${id}`);
      applied(fresh);
      who = fresh.acknowledged_by || fresh.last_actor;
    } catch { /* keep the server's words */ }
    const match = /already acknowledged by (\S+)/.exec(err.body.detail || '');
    if (match) who = match[1];
    toast(who ? t('conflict.taken', { who }) : t('conflict.changed'), 'warn', 'conflict');
    return null;
  }
  toast(`${t('error.action')}: ${err.body.detail || err.message}`, 'error');
  return null;
}

export async function acknowledge(id) {
  try {
    const incident = applied(await api(`/api/v1/incidents/${id}/acknowledge`, { method: 'POST', json: {} }));
    toast(t('toast.acknowledged'), 'ok');
    return incident;
  } catch (err) { return refused(err, id); }
}

export async function dispatch(id, unitId) {
  try {
    const incident = applied(await api(`/api/v1/incidents/${id}/dispatch`, { method: 'POST', json: { unit_id: unitId } }));
    toast(t('toast.dispatched'), 'ok');
    return incident;
  } catch (err) { return refused(err, id); }
}

// The `d` key. A unit already assigned means a second press is a question, never a second
// car sent without asking: the dialog names who is on it and who would go (Enter sends,
// Esc or Cancel keeps it as it is).
export async function dispatchFirstRecommended(id) {
  const detail = await api(`/api/v1/incidents/${id}`);
  const first = detail.recommended_units[0];
  if (!first) {
    toast(t('dispatch.none'), 'warn');
    return null;
  }
  if (detail.assigned_unit_ids.length) {
    const assigned = detail.assigned_unit_ids.map((u) => store.units.get(u)?.callsign || u).join(', ');
    const sure = await confirmAction({
      title: t('dispatch.another_title'),
      text: t('dispatch.another_text', { assigned, next: first.callsign }),
      confirmKey: 'dispatch.another', danger: false,
    });
    if (!sure) return null;
  }
  return dispatch(id, first.unit_id);
}

export async function transition(id, to, disposition = null) {
  try {
    const body = { to };
    if (disposition) body.disposition = disposition;
    const incident = applied(await api(`/api/v1/incidents/${id}/transition`, { method: 'POST', json: body }));
    toast(t(`toast.state.${to}`), 'ok');
    return incident;
  } catch (err) { return refused(err, id); }
}

export async function addNote(id, text) {
  try {
    return applied(await api(`/api/v1/incidents/${id}/notes`, { method: 'POST', json: { text } }));
  } catch (err) { return refused(err, id); }
}

export function incidentById(id) { return store.incidents.get(id); }
