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
  citizen: new Map(), // citizen items (reports, tips, emergencies) by id
  catalog: null, // the public catalog: categories, dispositions ... in Thai and English
  selected: null, // incident or citizen item id highlighted in the queue
  open: null, // incident id shown in the panel
  openCitizen: null, // citizen item id shown in the citizen panel
};

// What the signed-in user may do (permissions from /api/v1/auth/me).
export function can(permission) { return Boolean(store.me?.permissions?.includes(permission)); }

// The station chosen in the top bar (null: all the user's stations), and whether a thing of
// a station (by id or by code) is in it: the queue, the map and the panel follow the choice.
export function chosenStation() {
  return store.station ? store.stations.find((s) => s.code === store.station) || null : null;
}
export function inChosenStation({ station_id: id, station_code: code }) {
  const chosen = chosenStation();
  return !chosen || id === chosen.id || code === chosen.code;
}
export function stationCode(id) { return store.stations.find((s) => s.id === id)?.code || ''; }

// The user sees more than one station: queue rows then say which one an item belongs to.
export function seesSeveralStations() {
  return Boolean(store.me) && (store.me.station_ids === null || store.me.station_ids.length > 1);
}

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

// Citizen items: an emergency is a P1 incident already (it is in the queue as one), so only
// reports and tips wait here, until they are merged, turned into an incident or closed.
export const CITIZEN_QUEUE_STATES = ['new', 'acknowledged', 'info_requested'];
export function citizenInQueue(item) {
  return item.kind !== 'emergency' && CITIZEN_QUEUE_STATES.includes(item.state);
}
export function isCitizen(id) { return store.citizen.has(id); }

export function upsertCitizen(item) {
  const known = store.citizen.get(item.id);
  if (known && known.version > item.version) return false;
  store.citizen.set(item.id, item);
  return !known;
}

// The citizen item that an incident came from (an emergency, or a report turned into one).
// The incident carries the ticket code in its detail (``detail.ticket``).
export function citizenForIncident(incident) {
  const code = incident.detail?.ticket;
  for (const item of store.citizen.values()) {
    if (item.incident_id === incident.id || (code && item.code === code)) return item;
  }
  return null;
}

// A report or tip is not urgent the way an alarm is: it ranks after P1-P3 incidents and
// among P4-P5 ones by age.
const CITIZEN_RANK = 3.5;
const rank = (entry) => (store.citizen.has(entry.id) ? CITIZEN_RANK : entry.priority);
const since = (entry) => new Date(entry.opened_at || entry.created_at);

// Most urgent first: priority, then the oldest.
export function queueOrder() {
  return [...[...store.incidents.values()].filter((i) => inQueue(i) && inChosenStation(i)),
    ...[...store.citizen.values()].filter((c) => citizenInQueue(c) && inChosenStation(c))]
    .sort((a, b) => (rank(a) - rank(b)) || (since(a) - since(b)));
}
