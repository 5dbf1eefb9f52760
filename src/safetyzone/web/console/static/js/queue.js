// The alert queue: open incidents and citizens' reports and tips, most urgent first
// (priority, then age). A new one appears at once with a beep and a flash; escalated ones
// stand out; one click takes one.
import { acknowledge } from './actions.js';
import { acknowledgeCitizen } from './citizen-actions.js';
import { formatAge, formatTime, pick, t, tOr } from './i18n.js';
import {
  can, emit, isCitizen, queueOrder, seesSeveralStations, stationCode, store,
} from './store.js';
import { el } from './ui.js';

const list = () => document.getElementById('queue-list');

function item(incident) {
  const escalated = incident.escalation_level > 0;
  const classes = ['q-item', `p${incident.priority}`, incident.state];
  if (escalated) classes.push('escalated');
  if (store.selected === incident.id) classes.push('selected');
  if (store.open === incident.id) classes.push('opened');
  const ack = incident.state === 'new' && can('incident.act')
    ? el('button', { type: 'button', class: 'btn primary ack', 'data-action': 'ack', 'data-id': incident.id,
      title: `${t('queue.ack')} (a)` }, t('queue.ack'))
    : null;
  return el('li', { class: classes.join(' '), 'data-id': incident.id, 'data-state': incident.state,
    'data-priority': incident.priority, role: 'option', 'aria-selected': String(store.selected === incident.id) },
  el('div', { class: 'q-row' },
    el('span', { class: 'prio' }, `P${incident.priority}`),
    el('span', { class: 'q-title' }, pick(incident, 'title')),
    el('span', { class: 'q-age', 'data-opened': incident.opened_at }, formatAge(incident.opened_at))),
  el('div', { class: 'q-row meta' },
    el('span', { class: `badge state-${incident.state}` }, t(`state.${incident.state}`)),
    escalated ? el('span', { class: 'badge escalated' }, t('queue.escalated', { n: incident.escalation_level })) : null,
    seesSeveralStations() ? el('span', { class: 'badge station' }, stationCode(incident.station_id)) : null,
    incident.acknowledged_by ? el('span', { class: 'who' }, t('queue.by', { who: incident.acknowledged_by })) : null,
    el('span', { class: 'q-time' }, formatTime(incident.opened_at)),
    incident.event_count > 1 ? el('span', { class: 'badge' }, t('queue.presses', { n: incident.event_count })) : null),
  el('div', { class: 'q-actions' }, ack,
    el('button', { type: 'button', class: 'btn', 'data-action': 'open', 'data-id': incident.id }, t('queue.open'))));
}

// A citizen's report or tip: channel, category, station, age, photos and waiting messages.
function citizenItem(item) {
  const classes = ['q-item', 'citizen', `kind-${item.kind}`, item.state];
  if (store.selected === item.id) classes.push('selected');
  if (store.openCitizen === item.id) classes.push('opened');
  const photos = item.media.filter((m) => m.kind === 'photo').length;
  const ack = item.state === 'new' && can('citizen.act')
    ? el('button', { type: 'button', class: 'btn primary ack', 'data-action': 'ack', 'data-id': item.id,
      title: `${t('queue.ack')} (a)` }, t('queue.ack'))
    : null;
  return el('li', { class: classes.join(' '), 'data-id': item.id, 'data-kind': 'citizen',
    'data-citizen-kind': item.kind, 'data-state': item.state, 'data-code': item.code, role: 'option',
    'aria-selected': String(store.selected === item.id) },
  el('div', { class: 'q-row' },
    el('span', { class: `badge channel ch-${item.channel}` }, tOr(`citizen.channel.${item.channel}`, item.channel)),
    el('span', { class: 'q-title' }, pick(item, 'category') || item.category),
    el('span', { class: 'q-age', 'data-opened': item.created_at }, formatAge(item.created_at))),
  el('div', { class: 'q-row meta' },
    el('span', { class: `badge kind kind-${item.kind}` }, tOr(`citizen.kind.${item.kind}`, item.kind)),
    el('span', { class: `badge cz-state-${item.state}` }, tOr(`citizen.state.${item.state}`, item.state)),
    seesSeveralStations() ? el('span', { class: 'badge station' }, item.station_code) : null,
    photos ? el('span', { class: 'badge photos', 'data-photos': photos }, t('citizen.photos', { n: photos })) : null,
    item.messages_waiting ? el('span', { class: 'badge waiting' }, t('citizen.waiting', { n: item.messages_waiting })) : null,
    item.joined ? el('span', { class: 'badge' }, t('citizen.joined', { n: item.joined })) : null,
    el('span', { class: 'q-time code' }, item.code)),
  el('div', { class: 'q-actions' }, ack,
    el('button', { type: 'button', class: 'btn', 'data-action': 'open', 'data-id': item.id }, t('queue.open'))));
}

export function renderQueue() {
  const ordered = queueOrder();
  if (store.selected && !ordered.some((i) => i.id === store.selected)) store.selected = null;
  if (!store.selected && ordered.length) store.selected = ordered[0].id;
  const root = list();
  root.replaceChildren(...ordered.map((entry) => (isCitizen(entry.id) ? citizenItem(entry) : item(entry))));
  document.getElementById('queue-count').textContent = String(ordered.length);
  document.getElementById('queue-empty').hidden = ordered.length > 0;
}

export function markNew(id) {
  const node = list().querySelector(`[data-id="${id}"]`);
  if (node) node.classList.add('arrived');
}

export function tickAges() {
  list().querySelectorAll('.q-age').forEach((node) => { node.textContent = formatAge(node.dataset.opened); });
}

export function move(step) {
  const ordered = queueOrder();
  if (!ordered.length) return;
  const at = ordered.findIndex((i) => i.id === store.selected);
  const next = Math.min(Math.max(at + step, 0), ordered.length - 1);
  store.selected = ordered[next].id;
  renderQueue();
  list().querySelector('.selected')?.scrollIntoView({ block: 'nearest' });
}

export function bindQueue() {
  list().addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-action]');
    const row = event.target.closest('.q-item');
    if (!row) return;
    const id = row.dataset.id;
    store.selected = id;
    const citizen = row.dataset.kind === 'citizen';
    if (button?.dataset.action === 'ack') await (citizen ? acknowledgeCitizen(id) : acknowledge(id));
    else if (button?.dataset.action === 'open' || !button) emit(citizen ? 'open-citizen' : 'open-incident', id);
    renderQueue();
  });
}
