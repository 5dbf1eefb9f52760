// The citizen panel: a report's or tip's description, photos, the trail of fixes on the map,
// the message thread, and what an operator does with it (reply, ask for more, merge into a
// nearby item of the same category, turn it into an incident, close it with a disposition the
// citizen reads in Thai, assign a tip). Without citizen.act the panel shows no action at all.
import {
  acknowledgeCitizen, assignTip, citizenToIncident, closeWithDisposition, mergeCitizen, replyCitizen, tipIdentity,
} from './citizen-actions.js';
import { bindPhotoDialog, openPhoto, photoStrip, releaseMedia, voiceNote } from './citizen-media.js';
import { formatAge, formatDateTime, formatDistance, pick, t, tOr } from './i18n.js';
import { clearTrail, focus, showTrail } from './map.js';
import { api, ApiError } from './session.js';
import { can, CITIZEN_QUEUE_STATES, emit, on, store, upsertCitizen } from './store.js';
import { el, toast } from './ui.js';
import { canSendOn, sendCitizenReport, workorderSummary } from './workorders.js';

const TERMINAL = ['closed', 'merged'];
const PRIORITIES = [1, 2, 3, 4, 5];
const NEARBY_M = 1000; // merge candidates: same category, open, within this distance
let detail = null;
let identity = null; // the tipster's identity once the assigned investigator asked for it
let reloadTimer = null;
const draft = { id: null, reply: '', merge: '', priority: '3', disposition: '', note: '', assign: '' };
const FIELDS = { reply: '#cz-reply', merge: '#cz-merge', priority: '#cz-priority', disposition: '#cz-disposition',
  note: '#cz-close-note', assign: '#cz-assign' };

const panel = () => document.getElementById('citizen');

export function isCitizenOpen() { return !panel().hidden; }

export async function openCitizen(id) {
  if (store.open) emit('close-incident');
  store.openCitizen = id;
  store.selected = id;
  panel().hidden = false;
  document.body.classList.add('panel-open', 'citizen-open');
  await load(id, true);
  emit('panel', id);
}

export function closeCitizen() {
  store.openCitizen = null;
  detail = null;
  identity = null;
  panel().hidden = true;
  document.body.classList.remove('citizen-open');
  if (!store.open) document.body.classList.remove('panel-open');
  releaseMedia();
  clearTrail();
  setTimeout(() => focus(null, null), 0);
  emit('panel', null);
}

async function load(id, center = false) {
  try {
    const fresh = await api(`/api/v1/citizen/items/${encodeURIComponent(id)}`);
    if (store.openCitizen !== id) return;
    keepDraft();
    if (detail?.id !== id) identity = null;
    detail = fresh;
    upsertCitizen(fresh);
    render();
    showTrail(fresh.fixes || []);
    if (center) focus(fresh.lat, fresh.lon);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      toast(t('citizen.gone'), 'warn');
      closeCitizen();
    } else throw err;
  }
}

export function reloadCitizenSoon(id) {
  if (store.openCitizen !== id) return;
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => load(id), 250);
}

function section(titleKey, attrs, ...children) {
  return el('section', { class: 'inc-section', ...attrs }, el('h3', { text: t(titleKey) }), ...children);
}

function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371000 * Math.asin(Math.sqrt(h));
}

// Open items of the same kind and category near this one, nearest first.
function mergeCandidates(d) {
  const placed = d.lat !== null && d.lon !== null;
  return [...store.citizen.values()]
    .filter((c) => c.id !== d.id && c.kind === d.kind && c.category === d.category
      && CITIZEN_QUEUE_STATES.includes(c.state))
    .map((c) => ({ item: c, distance: placed && c.lat !== null && c.lon !== null ? distanceM(d, c) : null }))
    .filter((c) => c.distance === null || c.distance <= NEARBY_M)
    .sort((a, b) => (a.distance ?? Infinity) - (b.distance ?? Infinity));
}

function meta(d) {
  const row = (key, ...value) => [el('dt', {}, t(key)), el('dd', {}, ...value)];
  const place = d.lat !== null && d.lon !== null
    ? [`${d.lat.toFixed(5)}, ${d.lon.toFixed(5)}`, d.accuracy_m ? ` ±${formatDistance(d.accuracy_m)}` : '',
      ' · ', tOr(`citizen.source.${d.location_source}`, d.location_source), ' ',
      el('button', { type: 'button', class: 'btn small', 'data-act': 'locate' }, t('citizen.show_on_map'))]
    : [t('citizen.no_location')];
  const incident = d.incident_id ? store.incidents.get(d.incident_id) : null;
  return el('dl', { class: 'inc-meta' },
    ...row('citizen.state', el('span', { class: `badge cz-state-${d.state}`, id: 'cz-state' }, tOr(`citizen.state.${d.state}`, d.state))),
    ...row('citizen.code', el('b', { id: 'cz-code' }, d.code)),
    ...row('citizen.channel', el('span', { class: `badge channel ch-${d.channel}` }, tOr(`citizen.channel.${d.channel}`, d.channel))),
    ...row('citizen.station', d.station_code),
    ...row('citizen.received', formatDateTime(d.created_at, { seconds: true }), ' · ', formatAge(d.created_at)),
    ...row('citizen.location', ...place),
    ...(d.kind === 'tip' ? row('citizen.tipster', t(d.anonymous ? 'citizen.anonymous' : 'citizen.named')) : []),
    ...(d.kind === 'tip' ? row('citizen.assigned_to', el('span', { id: 'cz-assigned' }, d.assigned_to || '–')) : []),
    ...(d.press_count > 1 ? row('citizen.presses_label', t('citizen.presses', { n: d.press_count })) : []),
    ...(d.joined ? row('citizen.joined_label', t('citizen.joined', { n: d.joined })) : []),
    ...(d.incident_id ? row('citizen.incident', el('button', { type: 'button', class: 'btn small', 'data-act': 'open-incident',
      'data-id': d.incident_id }, incident ? `P${incident.priority} · ${pick(incident, 'title')}` : t('citizen.open_incident'))) : []),
    ...(d.workorder ? row('wo.citizen_row', el('span', { id: 'cz-workorder' }, workorderSummary(d.workorder))) : []),
    ...(d.merged_into_id ? row('citizen.merged_into', store.citizen.get(d.merged_into_id)?.code || d.merged_into_id) : []),
    ...(d.disposition ? row('citizen.disposition', dispositionText(d.disposition)) : []));
}

function dispositionText(key) {
  const entry = (store.catalog?.dispositions || []).find((x) => x.key === key);
  return entry ? pick({ name_th: entry.th, name_en: entry.en }, 'name') : key;
}

function contact(d) {
  const c = d.contact;
  if (!c || (!c.name && !c.phone)) return null;
  return section('citizen.contact', { id: 'cz-contact' }, el('dl', { class: 'inc-meta' },
    c.name ? [el('dt', {}, t('citizen.contact_name')), el('dd', {}, c.name)] : null,
    c.phone ? [el('dt', {}, t('citizen.contact_phone')), el('dd', {}, c.phone)] : null));
}

function thread(d) {
  const messages = d.messages || [];
  return section('citizen.thread', { id: 'cz-thread' }, messages.length
    ? el('ol', { class: 'cz-thread' }, messages.map((m) => el('li', { class: `msg ${m.direction}` },
      el('div', { class: 'msg-head' },
        el('span', { class: 'who' }, m.direction === 'from_citizen' ? t('citizen.from_citizen') : m.author),
        el('time', {}, formatDateTime(m.at, { seconds: true })),
        m.ask_info ? el('span', { class: 'badge ask' }, t('citizen.ask_badge')) : null,
        m.delivery ? el('span', { class: `badge delivery ${m.delivery}` }, tOr(`citizen.delivery.${m.delivery}`, m.delivery)) : null),
      el('p', { class: 'msg-text' }, m.text))))
    : el('p', { class: 'muted' }, t('citizen.no_messages')));
}

function trailSection(d) {
  const fixes = d.fixes || [];
  if (!fixes.length) return null;
  const last = fixes[fixes.length - 1];
  return section('citizen.trail', { id: 'cz-trail' },
    el('p', {}, t('citizen.trail_count', { n: fixes.length }), ' · ', t('citizen.trail_last'), ' ',
      formatDateTime(last.at, { seconds: true })),
    el('p', { class: 'muted' }, t('citizen.trail_note')));
}

function select(id, labelKey, options, value = '') {
  const node = el('select', { id, 'aria-label': t(labelKey) }, ...options);
  if ([...node.options].some((o) => o.value === value)) node.value = value;
  return node;
}

function actionsSection(d) {
  if (!can('citizen.act') || TERMINAL.includes(d.state)) return null;
  // An emergency is worked on its incident; here the operator only writes to the caller.
  const open = CITIZEN_QUEUE_STATES.includes(d.state) && d.kind !== 'emergency';
  const parts = [];
  if (d.state === 'new' && open) {
    parts.push(el('div', { class: 'inc-actions' },
      el('button', { type: 'button', class: 'btn primary', 'data-act': 'ack' }, `${t('queue.ack')} (a)`)));
  }
  parts.push(el('div', { class: 'cz-form' },
    el('label', { for: 'cz-reply' }, t('citizen.reply_label')),
    el('textarea', { id: 'cz-reply', rows: 3, maxlength: 2000, placeholder: t('citizen.reply_placeholder') }),
    el('div', { class: 'inc-actions' },
      el('button', { type: 'button', class: 'btn primary', 'data-act': 'reply' }, t('citizen.reply')),
      open ? el('button', { type: 'button', class: 'btn', 'data-act': 'ask' }, t('citizen.ask')) : null)));
  if (open) {
    const candidates = mergeCandidates(d);
    parts.push(el('div', { class: 'cz-form' },
      el('label', { for: 'cz-merge' }, t('citizen.merge_label')),
      candidates.length
        ? el('div', { class: 'closer' }, select('cz-merge', 'citizen.merge_label', [
          el('option', { value: '' }, t('citizen.merge_choose')),
          ...candidates.map(({ item, distance }) => el('option', { value: item.id, 'data-code': item.code },
            [item.code, distance === null ? null : formatDistance(distance), formatAge(item.created_at),
              item.description.slice(0, 40)].filter(Boolean).join(' · ')))], draft.merge),
        el('button', { type: 'button', class: 'btn', 'data-act': 'merge' }, t('citizen.merge')))
        : el('p', { class: 'muted', id: 'cz-merge-none' }, t('citizen.merge_none'))));
    parts.push(el('div', { class: 'cz-form' },
      el('label', { for: 'cz-priority' }, t('citizen.incident_label')),
      el('div', { class: 'closer' }, select('cz-priority', 'citizen.incident_label',
        PRIORITIES.map((p) => el('option', { value: String(p) }, t(`citizen.priority.${p}`))), draft.priority),
      el('button', { type: 'button', class: 'btn', 'data-act': 'incident' }, t('citizen.to_incident')))));
  }
  if (canSendOn(d)) {
    parts.push(el('div', { class: 'inc-actions' },
      el('button', { type: 'button', class: 'btn', 'data-act': 'workorder' }, t('wo.send_on'))));
  }
  if (open) {
    const dispositions = store.catalog?.dispositions || [];
    const chosen = dispositions.find((x) => x.key === draft.disposition);
    parts.push(el('div', { class: 'cz-form' },
      el('label', { for: 'cz-disposition' }, t('citizen.close_label')),
      el('div', { class: 'closer' }, select('cz-disposition', 'citizen.close_label', [
        el('option', { value: '' }, t('close.choose')),
        ...dispositions.map((x) => el('option', { value: x.key }, pick({ n_th: x.th, n_en: x.en }, 'n')))], draft.disposition),
      el('button', { type: 'button', class: 'btn danger', 'data-act': 'close' }, t('citizen.close'))),
      el('p', { class: 'muted', id: 'cz-citizen-sees' }, chosen ? t('citizen.citizen_sees', { text: chosen.th }) : ''),
      el('input', { id: 'cz-close-note', maxlength: 2000, placeholder: t('citizen.close_note'),
        'aria-label': t('citizen.close_note') })));
    if (d.kind === 'tip') {
      parts.push(el('div', { class: 'cz-form' },
        el('label', { for: 'cz-assign' }, t('citizen.assign_label')),
        el('div', { class: 'closer' }, el('input', { id: 'cz-assign', maxlength: 64, placeholder: t('citizen.assign_placeholder'),
          autocomplete: 'off' }),
        el('button', { type: 'button', class: 'btn', 'data-act': 'assign' }, t('citizen.assign')))));
    }
  }
  return section('citizen.actions', { id: 'cz-actions' }, ...parts);
}

// Only the investigator the tip is assigned to gets the button; the server checks it again.
function identitySection(d) {
  if (d.kind !== 'tip' || !can('tip.identity.read') || d.assigned_to !== store.me.username) return null;
  const shown = identity && identity.id === d.id ? identity.body : null;
  return section('citizen.identity_title', { id: 'cz-identity' },
    shown
      ? el('dl', { class: 'inc-meta', id: 'cz-identity-shown' },
        el('dt', {}, t('citizen.contact_name')), el('dd', {}, shown.name || (shown.anonymous ? t('citizen.anonymous') : '–')),
        el('dt', {}, t('citizen.contact_phone')), el('dd', {}, shown.phone || '–'))
      : el('button', { type: 'button', class: 'btn', 'data-act': 'identity' }, t('citizen.identity')),
    el('p', { class: 'muted' }, t('citizen.identity_audited')));
}

function keepDraft() {
  if (!detail || draft.id !== detail.id) return;
  for (const [key, selector] of Object.entries(FIELDS)) {
    const node = panel().querySelector(selector);
    if (node) draft[key] = node.value;
  }
}

function render() {
  const d = detail;
  if (!d) return;
  keepDraft();
  if (draft.id !== d.id) Object.assign(draft, { id: d.id, reply: '', merge: '', priority: '3', disposition: '', note: '', assign: '' });
  const root = panel();
  Object.assign(root.dataset, { id: d.id, state: d.state, kind: d.kind, code: d.code });
  root.querySelector('.cz-kind').textContent = tOr(`citizen.kind.${d.kind}`, d.kind);
  root.querySelector('.cz-kind').className = `cz-kind badge kind kind-${d.kind}`;
  root.querySelector('#cz-title').textContent = pick(d, 'category') || d.category;
  const focused = document.activeElement?.id;
  root.querySelector('#cz-body').replaceChildren(meta(d),
    section('citizen.description', { id: 'cz-description' }, el('p', { class: 'cz-desc' }, d.description || t('citizen.no_description'))),
    contact(d) || '',
    section('citizen.photos_title', { id: 'cz-photos' }, photoStrip(d)),
    voiceNote(d) || '',
    trailSection(d) || '', thread(d), actionsSection(d) || '', identitySection(d) || '');
  for (const [key, selector] of Object.entries(FIELDS)) {
    const node = root.querySelector(selector);
    if (node && node.tagName !== 'SELECT') node.value = draft[key];
  }
  if (focused && Object.values(FIELDS).includes(`#${focused}`)) root.querySelector(`#${focused}`)?.focus();
}

function need(value, key) {
  if (!value) toast(t(key), 'warn', 'citizen-need');
  return Boolean(value);
}

function valueOf(selector) { return (panel().querySelector(selector)?.value || '').trim(); }

async function act(button) {
  const id = detail.id;
  const kind = button.dataset.act;
  let done = null;
  if (kind === 'ack') done = await acknowledgeCitizen(id);
  else if (kind === 'reply' || kind === 'ask') {
    const text = valueOf('#cz-reply');
    if (!need(text, 'citizen.need_text')) return;
    done = await replyCitizen(id, text, kind === 'ask');
    if (done) draft.reply = '';
  } else if (kind === 'merge') {
    const into = valueOf('#cz-merge');
    if (!need(into, 'citizen.need_merge')) return;
    done = await mergeCitizen(id, into);
  } else if (kind === 'incident') {
    done = await citizenToIncident(id, Number(valueOf('#cz-priority') || 3));
  } else if (kind === 'close') {
    const disposition = valueOf('#cz-disposition');
    if (!need(disposition, 'citizen.need_disposition')) return;
    done = await closeWithDisposition(id, disposition, valueOf('#cz-close-note'));
  } else if (kind === 'assign') {
    const username = valueOf('#cz-assign');
    if (!need(username, 'citizen.need_assignee')) return;
    done = await assignTip(id, username);
  } else if (kind === 'workorder') {
    done = await sendCitizenReport(detail);
  } else if (kind === 'identity') {
    const body = await tipIdentity(id);
    if (body) identity = { id, body };
    render();
    return;
  }
  if (!done) return;
  if (kind === 'reply' || kind === 'ask') {
    const box = panel().querySelector('#cz-reply');
    if (box) box.value = '';
  }
  if (['merge', 'close'].includes(kind)) {
    closeCitizen();
    return;
  }
  if (kind === 'incident' && done.incident_id) {
    emit('open-incident', done.incident_id);
    return;
  }
  await load(id);
}

// "r": write to the citizen (the reply box of the open item).
export function focusReply() {
  const box = panel().querySelector('#cz-reply');
  if (box) box.focus();
  return Boolean(box);
}

export function rerenderCitizen() { if (detail) render(); }

export function bindCitizen() {
  on('open-citizen', (id) => openCitizen(id));
  on('close-citizen', () => { if (isCitizenOpen()) closeCitizen(); });
  panel().querySelector('#cz-close').addEventListener('click', closeCitizen);
  panel().addEventListener('change', (event) => {
    if (event.target.id !== 'cz-disposition') return;
    const chosen = (store.catalog?.dispositions || []).find((x) => x.key === event.target.value);
    panel().querySelector('#cz-citizen-sees').textContent = chosen ? t('citizen.citizen_sees', { text: chosen.th }) : '';
  });
  panel().addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-act]');
    if (!button || !detail) return;
    if (button.dataset.act === 'locate') { focus(detail.lat, detail.lon); return; }
    if (button.dataset.act === 'open-incident') { emit('open-incident', button.dataset.id); return; }
    if (button.dataset.act === 'photo') { openPhoto(detail, button.dataset.media); return; }
    button.disabled = true;
    try { await act(button); } finally { button.disabled = false; }
  });
  bindPhotoDialog();
}
