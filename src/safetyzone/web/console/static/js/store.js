// What the console knows, kept current by the feed; views subscribe to changes.
export const OPEN_STATES = ['new', 'acknowledged', 'dispatched', 'en_route', 'on_scene'];

const listeners = new Map();

export const store = {
  me: null,
  stations: [],
  station: null, // the station code the panel and filters use
  zones: [],
  assets: new Map(),
  cameras: new Map(),
  units: new Map(),
  incidents: new Map(),
  selected: null, // incident id highlighted in the queue
  open: null, // incident id shown in the panel
};

export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(fn);
}

export function emit(topic, value) {
  (listeners.get(topic) || []).forEach((fn) => fn(value));
}

// Keep the newer of two copies of an incident (the feed and a REST read may cross).
export function upsertIncident(incident) {
  const known = store.incidents.get(incident.id);
  if (known && known.version > incident.version) return false;
  store.incidents.set(incident.id, incident);
  return !known;
}

// The queue holds open incidents and cleared ones still waiting to be closed.
export const QUEUE_STATES = [...OPEN_STATES, 'cleared'];
export function inQueue(incident) { return QUEUE_STATES.includes(incident.state); }

// Most urgent first: priority, then the oldest.
export function queueOrder() {
  return [...store.incidents.values()].filter(inQueue).sort((a, b) => (a.priority - b.priority)
    || (new Date(a.opened_at) - new Date(b.opened_at)));
}
