// What the app knows: the officer, the shift and the assigned incident (GET /officer/me),
// kept fresh by a poll and by the answers of sent actions; screens subscribe to changes.
// `role` is what the login may do here (GET /auth/me): 'officer' (patrol duty: shifts,
// units, the incident), 'volunteer' (post duty only: the post desk), or 'none'.
import { get } from './api.js';

export const state = { me: null, loadedAt: 0, role: null };

export async function loadRole() {
  const me = await get('/api/v1/auth/me');
  const can = new Set(me.permissions || []);
  if (can.has('patrol.duty')) state.role = 'officer';
  else if (can.has('post.duty')) state.role = 'volunteer';
  else state.role = 'none';
  state.displayName = me.display_name;
  return state.role;
}
const listeners = new Set();

export function onMe(fn) { listeners.add(fn); }

export function setMe(me) {
  const first = !state.loadedAt;
  const before = state.me?.assignment?.id || null;
  state.me = me;
  state.loadedAt = Date.now();
  const after = me?.assignment?.id || null;
  listeners.forEach((fn) => fn(me, { newAssignment: Boolean(!first && after && after !== before) }));
}

export async function loadMe() {
  setMe(await get('/api/v1/officer/me'));
  return state.me;
}

export function onShift() { return Boolean(state.me?.shift); }
