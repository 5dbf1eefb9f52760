// Work orders to partners (ใบสั่งงาน) on the station panel: the open and overdue ones by
// partner, the unfinished list with the police's acts (verify a fix, reopen, cancel), a
// dialog to make one by hand, and the same dialog to send a citizen's lamp or plot report
// on. Users without incident.act see the list and no button. Data is text (ui.js el()).
import { formatDateTime, onLangChange, pick, t } from './i18n.js';
import { newKey, refusal } from './once.js';
import { api } from './session.js';
import { can, emit, store, upsertCitizen } from './store.js';
import { confirmAction, el, toast } from './ui.js';

const KINDS = ['street_light', 'camera', 'sos_point', 'abandoned_plot', 'other'];
const CITIZEN_KINDS = { street_light: 'street_light', abandoned_plot: 'abandoned_plot' };
let last = null; // { code, orders } drawn last, redrawn at once in a new language
let partners = null;

const enc = encodeURIComponent;



function overdue(order) {
  return ['open', 'accepted', 'in_progress'].includes(order.status) && new Date(order.due_at) < new Date();
}

// The panel's figure: unfinished and overdue orders per partner (GET .../panel).
export function workorderLoadsCard(loads) {
  return el('section', { class: 'card', id: 'wo-loads' }, el('h3', {}, t('wo.by_partner')),
    loads.length
      ? el('table', { class: 'grid' },
        el('thead', {}, el('tr', {}, el('th', {}, t('wo.partner')), el('th', {}, t('wo.open')), el('th', {}, t('wo.overdue')))),
        el('tbody', {}, loads.map((p) => el('tr', { 'data-partner': p.partner_code },
          el('th', {}, pick(p, 'name') || p.partner_code), el('td', {}, String(p.open)),
          el('td', { class: p.overdue ? 'bad' : '' }, String(p.overdue))))))
      : el('p', { class: 'muted' }, t('wo.none')));
}

function actions(order) {
  if (!can('incident.act')) return null;
  const button = (act, cls = '') => el('button', { type: 'button', class: `btn small ${cls}`, 'data-wo-act': act, 'data-id': order.id }, t(`wo.act.${act}`));
  return el('div', { class: 'row' },
    order.status === 'done' ? button('verify', 'primary') : null,
    ['done', 'rejected'].includes(order.status) ? button('reopen') : null,
    button('cancel', 'danger'));
}

function row(order) {
  const late = overdue(order);
  return el('li', { class: `wo-row${late ? ' overdue' : ''}`, 'data-code': order.code, 'data-status': order.status },
    el('div', { class: 'wo-head' },
      el('b', {}, order.code), ' ',
      el('span', { class: `badge wo-status wo-${order.status}` }, t(`wo.status.${order.status}`)),
      late ? el('span', { class: 'badge bad' }, t('wo.overdue_badge')) : null),
    el('div', {}, `${t(`wo.kind.${order.kind}`)} · ${pick(order, 'partner_name') || order.partner_code}`),
    el('div', { class: 'muted' }, [order.camera_code || order.asset_code, order.place].filter(Boolean).join(' · ')),
    el('div', { class: late ? 'bad' : '' }, t('wo.due', { at: formatDateTime(order.due_at) })),
    order.reject_reason ? el('div', { class: 'warn' }, t('wo.rejected_because', { reason: order.reject_reason })) : null,
    actions(order));
}

function render() {
  const root = document.getElementById('station-workorders');
  if (!last) { root.replaceChildren(); root.hidden = true; return; }
  root.hidden = false;
  root.replaceChildren(el('section', { class: 'card wo-card', id: 'wo-list' },
    el('div', { class: 'wo-title' }, el('h3', {}, t('wo.title', { n: last.orders.length })),
      can('incident.act') ? el('button', { type: 'button', class: 'btn primary', id: 'wo-create' }, t('wo.create')) : null),
    last.orders.length ? el('ul', { class: 'plain wo-list' }, last.orders.map(row))
      : el('p', { class: 'muted' }, t('wo.none'))));
}

export async function refreshWorkorders(code) {
  if (!code) { last = null; render(); return; }
  const orders = await api(`/api/v1/workorders?station_code=${enc(code)}&unfinished=true&limit=200`);
  last = { code, orders };
  render();
}

async function stationPartners(code) {
  if (!partners) partners = await api('/api/v1/partners');
  const station = store.stations.find((s) => s.code === code);
  const stationIds = new Set(store.stations.map((s) => s.id));
  // A partner of this station, or one above stations (a city, a province).
  return partners.filter((p) => p.org_unit_id === station?.id || !stationIds.has(p.org_unit_id));
}

function field(id, labelKey, control) {
  return el('div', { class: 'field' }, el('label', { for: id }, t(labelKey)), control);
}

// The dialog: by hand (kind, point or place, partner) or for a citizen's report (partner
// and the words for the partner only: the citizen's own words stay with the police).
async function openDialog({ code, item = null }) {
  const list = await stationPartners(code);
  const kind = el('select', { id: 'wo-kind' }, KINDS.map((k) => el('option', { value: k }, t(`wo.kind.${k}`))));
  const point = el('input', { id: 'wo-point', maxlength: 64, autocomplete: 'off' });
  const lat = el('input', { id: 'wo-lat', inputMode: 'decimal', maxlength: 12 });
  const lon = el('input', { id: 'wo-lon', inputMode: 'decimal', maxlength: 12 });
  const partner = el('select', { id: 'wo-partner' },
    item ? null : el('option', { value: '' }, t('wo.partner_owner')),
    list.map((p) => el('option', { value: p.code }, `${pick(p, 'name') || p.code} (${p.code})`)));
  const place = el('input', { id: 'wo-place', maxlength: 200 });
  const description = el('textarea', { id: 'wo-description', rows: 3, maxlength: 1000 });
  const due = el('input', { id: 'wo-due', type: 'datetime-local' });
  const error = el('p', { class: 'error', role: 'alert', id: 'wo-error' });
  if (item) description.value = t('wo.citizen_default', { category: pick(item, 'category') });
  const submit = el('button', { type: 'submit', class: 'btn primary', id: 'wo-submit' }, t('wo.send'));
  const cancel = el('button', { type: 'button', class: 'btn' }, t('svc.cancel'));
  const form = el('form', { method: 'dialog' },
    el('h2', {}, item ? t('wo.from_citizen', { code: item.code }) : t('wo.create')),
    item ? el('p', { class: 'muted' }, t('wo.citizen_private')) : null,
    item ? null : field('wo-kind', 'wo.kind_label', kind),
    item ? null : field('wo-point', 'wo.point_label', point),
    item ? null : el('div', { class: 'row' }, field('wo-lat', 'wo.lat', lat), field('wo-lon', 'wo.lon', lon)),
    field('wo-partner', 'wo.partner', partner),
    item ? null : field('wo-place', 'wo.place', place),
    field('wo-description', 'wo.description', description),
    field('wo-due', 'wo.due_label', due),
    error, el('div', { class: 'row svc-confirm-actions' }, cancel, submit));
  const dialog = el('dialog', { class: 'svc-confirm wo-dialog', id: 'wo-dialog', 'aria-label': t('wo.create') }, form);
  const key = newKey('wo');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const words = description.value.trim();
    if (words.length < 3) { error.textContent = t('wo.need_description'); description.focus(); return; }
    const body = { description: words };
    if (partner.value) body.partner_code = partner.value;
    if (due.value) body.due_at = `${due.value}:00+07:00`; // the CCOC's clock is Bangkok's
    submit.disabled = true;
    try {
      if (item) {
        const updated = await api(`/api/v1/citizen/items/${enc(item.id)}/workorder`, { method: 'POST', json: body });
        upsertCitizen(updated);
        emit('citizen', updated);
      } else {
        Object.assign(body, { station_code: code, kind: kind.value });
        const ref = point.value.trim();
        if (ref) body[kind.value === 'camera' ? 'camera_code' : 'asset_code'] = ref;
        else if (lat.value && lon.value) Object.assign(body, { lat: Number(lat.value), lon: Number(lon.value) });
        if (place.value.trim()) body.place = place.value.trim();
        await api('/api/v1/workorders', { method: 'POST', json: body, headers: { 'Idempotency-Key': key } });
      }
      toast(t('wo.sent'), 'ok', 'wo-sent');
      dialog.close();
      emit('workorders-changed');
    } catch (err) {
      error.textContent = refusal(err);
    } finally {
      submit.disabled = false;
    }
  });
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  (item ? partner : kind).focus();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(true)));
}

// A citizen's report of a lamp out or an abandoned plot, not yet sent on.
export function canSendOn(item) {
  return can('incident.act') && item.kind === 'report' && Boolean(CITIZEN_KINDS[item.category])
    && !item.workorder && item.lat !== null;
}

export function sendCitizenReport(item) {
  return openDialog({ code: item.station_code, item });
}

// The row the citizen panel shows for a report sent on: code, partner, status, due time.
export function workorderSummary(brief) {
  return `${brief.code} · ${brief.partner_code} · ${t(`wo.status.${brief.status}`)} · ${t('wo.due', { at: formatDateTime(brief.due_at) })}`;
}

async function act(button) {
  const { woAct: action, id } = button.dataset;
  const order = last?.orders.find((o) => o.id === id);
  if (!order) return;
  const reason = action === 'verify' ? null : 'wo.reason';
  const note = await confirmAction({
    title: t(`wo.act.${action}`), text: `${order.code} · ${t(`wo.kind.${order.kind}`)} · ${pick(order, 'partner_name') || order.partner_code}`,
    confirmKey: `wo.act.${action}`, reason, danger: action === 'cancel',
  });
  if (note === null) return;
  const body = { action, version: order.version };
  if (typeof note === 'string') body.note = note;
  try {
    await api(`/api/v1/workorders/${enc(id)}/actions`, { method: 'POST', json: body });
    toast(t(`wo.done.${action}`), 'ok', 'wo-acted');
  } catch (err) {
    toast(`${t('error.action')}: ${refusal(err)}`, 'error', 'wo-error');
  }
  emit('workorders-changed'); // the panel's figures and this list, read again
}

export function bindWorkorders() {
  document.getElementById('station-workorders').addEventListener('click', async (event) => {
    if (event.target.closest('#wo-create') && last) { await openDialog({ code: last.code }); return; }
    const button = event.target.closest('button[data-wo-act]');
    if (!button) return;
    button.disabled = true;
    try { await act(button); } finally { button.disabled = false; }
  });
  onLangChange(() => { if (last) render(); });
}
