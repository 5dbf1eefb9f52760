// Footage requests to camera owners (ขอภาพจากกล้องของภาคี) on the station panel: the
// station's requests with their status, the owner's files with their SHA-256 (downloaded
// with the officer's token, each download audited by the server), a close button, and a
// dialog to ask: from an open incident or a case number, for chosen partner cameras or
// every partner camera within a radius of a point, over a window of at most 24 hours.
// Only footage.request holders see it (operators, investigators, commanders, admins).
// Data is text (ui.js el()).
import { downloadFile } from './files.js';
import { formatDateTime, onLangChange, pick, t } from './i18n.js';
import { newKey, refusal } from './once.js';
import { api } from './session.js';
import { OPEN_STATES, can, store } from './store.js';
import { confirmAction, el, toast } from './ui.js';

const HOUR_MS = 3600000;
const BANGKOK_MS = 7 * HOUR_MS; // Thailand keeps UTC+7 all year
const OPEN = new Set(['sent', 'seen', 'uploaded', 'granted']);
let last = null; // { code, requests } drawn last, redrawn in a new language
const enc = encodeURIComponent;

// datetime-local inputs hold Bangkok wall time whatever zone the browser is set to.
function toInput(ms) { return new Date(ms + BANGKOK_MS).toISOString().slice(0, 16); }
function fromInput(value) { return new Date(Date.parse(`${value}:00Z`) - BANGKOK_MS).toISOString(); }

function fileRow(request, file) {
  return el('li', { class: 'fr-file', 'data-sha256': file.sha256 },
    el('span', {}, `${file.name} · ${Math.max(1, Math.round(file.size / 1024))} KB · ${formatDateTime(file.uploaded_at)}`),
    el('code', { class: 'fr-hash' }, `SHA-256 ${file.sha256}`),
    el('button', { type: 'button', class: 'btn small', 'data-fr-download': file.id, 'data-fr': request.id }, t('fr.download')));
}

function row(request) {
  const late = ['sent', 'seen'].includes(request.status) && new Date(request.due_at) < new Date();
  return el('li', { class: `fr-row${late ? ' overdue' : ''}`, 'data-code': request.code, 'data-status': request.status },
    el('div', { class: 'wo-head' },
      el('b', {}, request.code), ' ',
      el('span', { class: `badge fr-status fr-${request.status}` }, t(`fr.status.${request.status}`)),
      request.case_number ? el('span', { class: 'muted' }, t('fr.case', { n: request.case_number })) : null),
    el('div', {}, `${pick(request, 'partner_name') || request.partner_code} · ${request.cameras.map((c) => c.code + (c.granted_at ? ' ✓' : '')).join(', ')}`),
    el('div', { class: 'muted' }, t('fr.window_text', { from: formatDateTime(request.window_start), to: formatDateTime(request.window_end) })),
    el('div', { class: late ? 'bad' : '' }, t('fr.due', { at: formatDateTime(request.due_at) })),
    request.decline_reason ? el('div', { class: 'warn' }, t('fr.declined_because', { reason: request.decline_reason })) : null,
    request.files.length ? el('ul', { class: 'plain fr-files' }, request.files.map((f) => fileRow(request, f))) : null,
    request.status !== 'closed'
      ? el('div', { class: 'row' }, el('button', { type: 'button', class: 'btn small', 'data-fr-close': request.id }, t('fr.close')))
      : null);
}

function render() {
  const root = document.getElementById('station-footage');
  if (!last) { root.replaceChildren(); root.hidden = true; return; }
  root.hidden = false;
  const open = last.requests.filter((r) => OPEN.has(r.status)).length;
  root.replaceChildren(el('section', { class: 'card wo-card fr-card', id: 'fr-list' },
    el('div', { class: 'wo-title' }, el('h3', {}, t('fr.title', { n: open })),
      el('button', { type: 'button', class: 'btn primary', id: 'fr-create' }, t('fr.create'))),
    last.requests.length ? el('ul', { class: 'plain wo-list' }, last.requests.map(row))
      : el('p', { class: 'muted' }, t('fr.none'))));
}

export async function refreshFootage(code) {
  if (!code || !can('footage.request')) { last = null; render(); return; }
  const requests = await api(`/api/v1/footage-requests?station_code=${enc(code)}&limit=100`);
  last = { code, requests };
  render();
}

function field(id, labelKey, control) {
  return el('div', { class: 'field' }, el('label', { for: id }, t(labelKey)), control);
}

// The dialog, for a station; with an incident's id it starts from that incident (its place
// and time fill the area and the window): the incident panel may open it so.
export function openFootageDialog(code, incidentId = null) {
  const station = store.stations.find((s) => s.code === code);
  const incidents = [...store.incidents.values()].filter((i) => i.station_id === station?.id && OPEN_STATES.includes(i.state));
  const cameras = [...store.cameras.values()].filter((c) => c.station_id === station?.id && c.owner_partner_id && c.status !== 'retired')
    .sort((a, b) => a.code.localeCompare(b.code));
  const incident = el('select', { id: 'fr-incident' }, el('option', { value: '' }, t('fr.no_incident')),
    incidents.map((i) => el('option', { value: i.id }, `${pick(i, 'title')} · ${formatDateTime(i.opened_at)}`)));
  const caseNo = el('input', { id: 'fr-case', maxlength: 64, autocomplete: 'off' });
  const mode = el('select', { id: 'fr-mode' }, el('option', { value: 'cameras' }, t('fr.mode_cameras')), el('option', { value: 'area' }, t('fr.mode_area')));
  const list = el('div', { class: 'fr-cams', id: 'fr-cams' }, cameras.length
    ? cameras.map((c) => el('label', { class: 'fr-cam' }, el('input', { type: 'checkbox', value: c.code, 'data-fr-cam': c.code }), ` ${c.code} · ${c.name_th}`))
    : el('p', { class: 'muted' }, t('fr.no_cameras')));
  const lat = el('input', { id: 'fr-lat', inputMode: 'decimal', maxlength: 12, value: station?.lat ?? '' });
  const lon = el('input', { id: 'fr-lon', inputMode: 'decimal', maxlength: 12, value: station?.lon ?? '' });
  const radius = el('input', { id: 'fr-radius', type: 'number', min: 10, max: 2000, value: 200 });
  const area = el('div', { class: 'row', id: 'fr-area', hidden: true }, field('fr-lat', 'wo.lat', lat), field('fr-lon', 'wo.lon', lon), field('fr-radius', 'fr.radius', radius));
  const now = Date.now();
  const start = el('input', { id: 'fr-start', type: 'datetime-local', value: toInput(now - 2 * HOUR_MS) });
  const end = el('input', { id: 'fr-end', type: 'datetime-local', value: toInput(now - HOUR_MS) });
  // The pickers are the browser's (Gregorian); beside them, the window as Thai readers read
  // it: Buddhist Era year in Thai, Bangkok time.
  const echo = el('output', { class: 'be-date', id: 'fr-window-be' });
  const echoWindow = () => {
    echo.textContent = start.value && end.value
      ? t('fr.window_text', { from: formatDateTime(fromInput(start.value)), to: formatDateTime(fromInput(end.value)) }) : '';
  };
  start.addEventListener('input', echoWindow);
  end.addEventListener('input', echoWindow);
  echoWindow();
  const reason = el('textarea', { id: 'fr-reason', rows: 3, maxlength: 1000 });
  const error = el('p', { class: 'error', role: 'alert', id: 'fr-error' });
  const submit = el('button', { type: 'submit', class: 'btn primary', id: 'fr-submit' }, t('fr.send'));
  const cancel = el('button', { type: 'button', class: 'btn' }, t('svc.cancel'));
  incident.addEventListener('change', () => {
    const chosen = store.incidents.get(incident.value);
    if (!chosen) return;
    if (chosen.lat !== null) { lat.value = chosen.lat; lon.value = chosen.lon; }
    const opened = Date.parse(chosen.opened_at);
    start.value = toInput(opened - HOUR_MS / 2);
    end.value = toInput(Math.min(opened + HOUR_MS / 2, Date.now()));
    echoWindow();
  });
  mode.addEventListener('change', () => { area.hidden = mode.value !== 'area'; list.hidden = mode.value === 'area'; });
  const form = el('form', { method: 'dialog' },
    el('h2', {}, t('fr.create')), el('p', { class: 'muted' }, t('fr.lead')),
    el('div', { class: 'row' }, field('fr-incident', 'fr.incident', incident), field('fr-case', 'fr.case_label', caseNo)),
    field('fr-mode', 'fr.mode', mode), list, area,
    el('div', { class: 'row' }, field('fr-start', 'fr.start', start), field('fr-end', 'fr.end', end)), echo,
    field('fr-reason', 'fr.reason', reason),
    error, el('div', { class: 'row svc-confirm-actions' }, cancel, submit));
  const dialog = el('dialog', { class: 'svc-confirm wo-dialog fr-dialog', id: 'fr-dialog', 'aria-label': t('fr.create') }, form);
  const key = newKey('fr');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const body = { station_code: code, reason: reason.value.trim(), window_start: fromInput(start.value), window_end: fromInput(end.value) };
    if (incident.value) body.incident_id = incident.value;
    if (caseNo.value.trim()) body.case_number = caseNo.value.trim();
    if (!body.incident_id && !body.case_number) { error.textContent = t('fr.need_case'); caseNo.focus(); return; }
    if (body.reason.length < 3) { error.textContent = t('fr.need_reason'); reason.focus(); return; }
    if (mode.value === 'area') body.area = { lat: Number(lat.value), lon: Number(lon.value), radius_m: Number(radius.value) };
    else {
      body.camera_codes = [...list.querySelectorAll('input[data-fr-cam]:checked')].map((i) => i.value);
      if (!body.camera_codes.length) { error.textContent = t('fr.need_camera'); return; }
    }
    submit.disabled = true;
    try {
      const made = await api('/api/v1/footage-requests', { method: 'POST', json: body, headers: { 'Idempotency-Key': key } });
      toast(t('fr.sent', { n: made.length }), 'ok', 'fr-sent');
      dialog.close();
      await refreshFootage(code);
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
  if (incidentId && store.incidents.has(incidentId)) {
    incident.value = incidentId;
    incident.dispatchEvent(new Event('change'));
  }
  incident.focus();
}

async function closeRequest(id) {
  const request = last?.requests.find((r) => r.id === id);
  if (!request) return;
  const note = await confirmAction({ title: t('fr.close'), text: `${request.code} · ${request.partner_code}`, confirmKey: 'fr.close', danger: false });
  if (note === null) return;
  try {
    await api(`/api/v1/footage-requests/${enc(id)}/close`, { method: 'POST', json: { version: request.version } });
    toast(t('fr.closed'), 'ok', 'fr-closed');
  } catch (err) {
    toast(`${t('error.action')}: ${refusal(err)}`, 'error', 'fr-error');
  }
  await refreshFootage(last?.code);
}

export function bindFootage() {
  document.getElementById('station-footage').addEventListener('click', async (event) => {
    if (event.target.closest('#fr-create') && last) { openFootageDialog(last.code); return; }
    const download = event.target.closest('button[data-fr-download]');
    if (download) {
      const request = last?.requests.find((r) => r.id === download.dataset.fr);
      const file = request?.files.find((f) => f.id === download.dataset.frDownload);
      try {
        await downloadFile(`/api/v1/footage-requests/${enc(download.dataset.fr)}/files/${enc(download.dataset.frDownload)}`,
          `${request?.code || 'footage'}-${file?.sha256.slice(0, 12) || ''}.${file?.kind || 'bin'}`);
      } catch (err) {
        toast(`${t('error.action')}: ${refusal(err)}`, 'error', 'fr-error');
      }
      return;
    }
    const close = event.target.closest('button[data-fr-close]');
    if (close) {
      close.disabled = true;
      try { await closeRequest(close.dataset.frClose); } finally { close.disabled = false; }
    }
  });
  onLangChange(() => { if (last) render(); });
}
