// Footage requests to the partner (คำขอภาพจากกล้อง): the police ask for the recordings of
// the partner's own cameras over a time window. Each card shows the window, the cameras,
// the police's reason and the deadline, the files sent so far (with their SHA-256), and
// what may be done: send a video file (the raw bytes, with a progress bar),
// grant access to the window, or decline with a reason; a large file goes in pieces and
// picks up after a lost connection. A card for linking LINE, so the
// next request arrives there too. Data is text: every node from dom.js, never HTML.
import { $, el, sleep, toast } from '/pwa/static/js/dom.js';
import { currentLang, formatDateTime, t } from '/pwa/static/js/i18n.js';
import { ApiError, api, errorText } from './api.js';
import { dropAccess, ensureAccess } from './session.js';

const ANSWERABLE = new Set(['sent', 'seen', 'uploaded', 'granted']);
const WAITING = new Set(['sent', 'seen']);
const ACCEPT = '.mp4,.mkv,.avi,.mov,.jpg,.jpeg,video/mp4,video/x-matroska,video/x-msvideo,image/jpeg';
let requests = [];
let allowed = false;
let uploading = null; // { id, loaded, total }
let lineState = null;

function size(bytes) {
  if (bytes >= 1048576) return t('fr.mb', { n: (bytes / 1048576).toFixed(1) });
  return t('fr.kb', { n: Math.max(1, Math.round(bytes / 1024)) });
}

function historyLine(entry) {
  const who = entry.side === 'partner' ? entry.username : t(`fr.side.${entry.side}`);
  return el('li', {}, `${formatDateTime(entry.at)} · ${t(`fr.status.${entry.status}`)} · ${who}`);
}

function fileLine(file) {
  return el('li', { class: 'fr-file', 'data-sha256': file.sha256 },
    el('b', {}, file.name), ` · ${size(file.size)}`,
    el('div', { class: 'hash' }, `SHA-256 ${file.sha256}`));
}

function actions(request) {
  if (!ANSWERABLE.has(request.status)) return null;
  const input = el('input', { type: 'file', accept: ACCEPT, class: 'fr-input', id: `fr-file-${request.id}`, 'data-fr': request.id });
  input.hidden = true;
  const busy = uploading && uploading.id === request.id;
  return el('div', {},
    input,
    busy ? el('progress', { class: 'fr-progress', max: uploading.total || 1, value: uploading.loaded }) : null,
    el('div', { class: 'row' },
      el('button', { type: 'button', class: 'btn primary', 'data-fr-act': 'upload', 'data-fr': request.id, disabled: Boolean(uploading) }, t('fr.upload')),
      el('button', { type: 'button', class: 'btn', 'data-fr-act': 'grant', 'data-fr': request.id }, t('fr.grant')),
      WAITING.has(request.status)
        ? el('button', { type: 'button', class: 'btn', 'data-fr-act': 'decline', 'data-fr': request.id }, t('fr.decline'))
        : null));
}

function card(request) {
  const station = currentLang() === 'en' ? request.station_name_en || request.station_name_th : request.station_name_th;
  const late = WAITING.has(request.status) && new Date(request.due_at) < new Date();
  return el('li', {
    class: `card order fr${ANSWERABLE.has(request.status) ? '' : ' finished'}${late ? ' overdue' : ''}`,
    'data-code': request.code, 'data-status': request.status,
  },
  el('div', { class: 'order-head' },
    el('span', { class: 'order-code' }, request.code),
    el('span', { class: `pill f-${request.status}` }, t(`fr.status.${request.status}`))),
  el('h3', {}, t('fr.heading', { station })),
  el('p', {}, request.reason),
  el('dl', {},
    el('dt', {}, t('fr.window')),
    el('dd', { class: 'fr-window' }, `${formatDateTime(request.window_start)} – ${formatDateTime(request.window_end)}`),
    el('dt', {}, t('fr.cameras')),
    el('dd', {}, request.cameras.map((c) => c.code + (c.granted_at ? ` ✓ ${t('fr.granted_mark')}` : '')).join(', ')),
    el('dt', {}, t('fr.due')), el('dd', { class: 'due' }, formatDateTime(request.due_at)),
    request.decline_reason ? el('dt', {}, t('fr.declined_because')) : null,
    request.decline_reason ? el('dd', {}, request.decline_reason) : null),
  request.files.length
    ? el('div', {}, el('h4', {}, t('fr.files', { n: request.files.length })),
      el('ul', { class: 'plain fr-files' }, request.files.map(fileLine)))
    : null,
  actions(request),
  el('details', { class: 'history' }, el('summary', {}, t('fr.history', { n: request.history.length })),
    el('ul', { class: 'plain' }, request.history.map(historyLine))));
}

function lineCard() {
  if (!lineState) return null;
  const linked = lineState.linked.length > 0;
  return el('section', { class: 'card fr-line', id: 'fr-line' },
    el('p', {}, linked ? t('fr.line_linked', { channel: lineState.linked.map((l) => l.channel).join(', ') }) : t('fr.line_lead')),
    lineState.code
      ? el('p', { class: 'fr-line-code' }, t('fr.line_code', { code: lineState.code.code, channel: lineState.code.channels.join(', ') }))
      : null,
    linked ? null : el('button', { type: 'button', class: 'btn small', id: 'fr-line-link' }, t('fr.line_link')));
}

export function renderFootage() {
  const root = $('#footage');
  if (!root) return;
  root.hidden = !allowed;
  if (!allowed) return;
  const open = requests.filter((r) => ANSWERABLE.has(r.status)).length;
  root.replaceChildren(
    el('h2', { id: 'footage-title' }, t('fr.title', { n: open })),
    requests.length ? el('ul', { class: 'plain', id: 'footage-list' }, requests.map(card))
      : el('p', { class: 'card quiet', id: 'footage-none' }, t('fr.none')),
    lineCard());
}

export async function loadFootage(me) {
  allowed = (me?.permissions || []).includes('footage.reply');
  if (!allowed) { requests = []; renderFootage(); return; }
  const [list, line] = await Promise.all([
    api('/api/v1/partner/footage-requests'),
    api('/api/v1/auth/me/line-link').catch(() => null),
  ]);
  requests = list;
  if (line) lineState = { ...line, code: lineState?.code || null };
  renderFootage();
}

function replace(request) {
  requests = requests.map((r) => (r.id === request.id ? request : r));
  renderFootage();
}

async function reload() {
  const fresh = await api('/api/v1/partner/footage-requests');
  requests = fresh;
  renderFootage();
}

// A file goes in pieces of 4 MiB (a resumable upload: the raw bytes, no form wrapping, so
// the server streams them to disk). A piece that fails (no signal, a cut, a server busy) is
// tried again after asking the server how far it got, up to 6 times in a row; an
// XMLHttpRequest shows the progress that fetch cannot.
const PIECE = 4 * 1024 * 1024;
const TRIES = 6;

function putPiece(path, offset, blob, onProgress) {
  return ensureAccess().then((token) => new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PATCH', path);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Upload-Offset', String(offset));
    xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded));
    xhr.addEventListener('load', () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch { body = {}; }
      resolve({ code: xhr.status, body });
    });
    xhr.addEventListener('error', () => resolve({ code: 0, body: {} }));
    xhr.send(blob);
  }), () => ({ code: 401, body: {} }));
}

function retryable(answer) {
  if (answer.code === 0 || answer.code === 401 || answer.code >= 500 || answer.code === 429) return true;
  if (answer.code === 409) return ['upload-offset', 'upload-busy'].includes(answer.body.code);
  return answer.code === 422 && (answer.body.problems || []).some((p) => p.reason === 'cut off');
}

function progress(id, loaded, total) {
  uploading = { id, loaded, total };
  const bar = $('.fr-progress');
  if (bar) { bar.max = total || 1; bar.value = loaded; }
}

async function send(id, file) {
  uploading = { id, loaded: 0, total: file.size };
  renderFootage();
  const base = `/api/v1/partner/footage-requests/${encodeURIComponent(id)}/uploads`;
  try {
    const session = await api(base, { method: 'POST', json: { size: file.size, filename: file.name.slice(0, 200) || undefined } });
    const path = `${base}/${encodeURIComponent(session.upload_id)}`;
    let offset = 0;
    let failures = 0;
    let done = null;
    while (!done) {
      const piece = file.slice(offset, Math.min(offset + PIECE, file.size));
      const from = offset;
      const answer = await putPiece(path, from, piece, (loaded) => progress(id, from + loaded, file.size));
      if (answer.code === 200) {
        failures = 0;
        offset = answer.body.offset;
        if (answer.body.file) done = answer.body;
        continue;
      }
      if (!retryable(answer) || failures >= TRIES) throw new ApiError(answer.code, answer.body);
      failures += 1;
      if (answer.code === 401) dropAccess(); // the next piece asks for a fresh token
      await sleep(1000 * failures);
      offset = (await api(path)).offset; // how far the server got: go on from there
      progress(id, offset, file.size);
    }
    toast(done.duplicate ? t('fr.already') : t('fr.uploaded', { hash: done.file.sha256.slice(0, 12) }), 'ok');
  } catch (err) {
    toast(errorText(err), 'error');
  } finally {
    uploading = null;
    await reload().catch(() => renderFootage());
  }
}

async function grant(id) {
  const request = requests.find((r) => r.id === id);
  try {
    replace(await api(`/api/v1/partner/footage-requests/${encodeURIComponent(id)}/grant`, { method: 'POST', json: { version: request?.version } }));
    toast(t('fr.granted'), 'ok');
  } catch (err) {
    toast(errorText(err), 'error');
    await reload().catch(() => {});
  }
}

function askDecline(id) {
  const request = requests.find((r) => r.id === id);
  const dialog = $('#fr-decline-dialog');
  $('#fr-decline-code').textContent = request ? request.code : '';
  $('#fr-decline-reason').value = '';
  $('.error', dialog).textContent = '';
  dialog.dataset.fr = id;
  dialog.showModal();
  $('#fr-decline-reason').focus();
}

async function decline() {
  const dialog = $('#fr-decline-dialog');
  const reason = $('#fr-decline-reason').value.trim();
  if (reason.length < 3) { $('.error', dialog).textContent = t('answer.reason_needed'); return; }
  const id = dialog.dataset.fr;
  const request = requests.find((r) => r.id === id);
  try {
    replace(await api(`/api/v1/partner/footage-requests/${encodeURIComponent(id)}/decline`, { method: 'POST', json: { reason, version: request?.version } }));
    toast(t('fr.declined'), 'ok');
    dialog.close();
  } catch (err) {
    $('.error', dialog).textContent = errorText(err);
  }
}

async function linkLine() {
  try {
    const code = await api('/api/v1/auth/me/line-link', { method: 'POST' });
    lineState = { ...(lineState || { linked: [] }), code };
    renderFootage();
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

export function bindFootage() {
  const root = $('#footage');
  root.addEventListener('click', (event) => {
    if (event.target.closest('#fr-line-link')) { linkLine(); return; }
    const button = event.target.closest('button[data-fr-act]');
    if (!button) return;
    const { frAct: action, fr: id } = button.dataset;
    if (action === 'upload') $(`#fr-file-${CSS.escape(id)}`).click();
    else if (action === 'grant') {
      button.disabled = true;
      grant(id).finally(() => { button.disabled = false; });
    } else if (action === 'decline') askDecline(id);
  });
  root.addEventListener('change', (event) => {
    const input = event.target.closest('input[data-fr]');
    if (input && input.files.length) send(input.dataset.fr, input.files[0]);
  });
  $('#fr-decline-cancel').addEventListener('click', () => $('#fr-decline-dialog').close());
  $('#fr-decline-form').addEventListener('submit', (event) => { event.preventDefault(); decline(); });
}
