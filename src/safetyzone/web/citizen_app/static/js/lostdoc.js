// Lost-document report (แจ้งเอกสารหาย): who (name, national ID checked here as the server
// checks it, phone), what was lost (the kinds of GET /lostdocs/catalog), when, where, how,
// to which station; then the request's page: pending review, issued with its record number
// (B.E.) and the certificate to download, or revoked.
import { call, send } from './api.js';
import { $, el, toast } from '/pwa/static/js/dom.js';
import { formatDateTime, pick, t } from '/pwa/static/js/i18n.js';
import { newKey, recall, remember, saveTicket } from './store.js';
import { StationChoice, blobUrl, consentBox, consented, echoDate, fail, facts, problemText, statusPill } from './svc.js';
import { normalizeThaiId, thaiIdValid } from './thaiid.js';

let catalog = recall('lostdoc.catalog');
let station;
let draftKey = null; // one key per declaration, kept across retries until it is sent
let go = () => {};

const form = () => $('#lostdoc-form');

async function loadCatalog() {
  try {
    catalog = await call('/lostdocs/catalog', { timeout: 15000 });
    remember('lostdoc.catalog', catalog);
  } catch { /* the kept copy, if any, still shows the form */ }
  renderKinds();
}

export function renderKinds() {
  if (!catalog) return;
  const box = $('#lostdoc-kinds');
  const was = Object.fromEntries([...box.querySelectorAll('.kind-row')].map((row) => [row.dataset.kind, {
    checked: row.querySelector('input[type=checkbox]').checked, detail: row.querySelector('input[type=text]').value,
  }]));
  box.replaceChildren(...catalog.kinds.map((kind) => {
    const id = `lostdoc-kind-${kind.kind}`;
    const keep = was[kind.kind] || {};
    return el('div', { class: 'kind-row', 'data-kind': kind.kind },
      el('label', { class: 'check', for: id },
        el('input', { type: 'checkbox', id, value: kind.kind, checked: keep.checked }), el('span', {}, pick(kind))),
      el('input', {
        type: 'text', id: `${id}-detail`, maxlength: 200, value: keep.detail || '', hidden: !keep.checked,
        'aria-label': t(kind.kind === 'other' ? 'lostdoc.detail.other' : 'lostdoc.detail'),
        placeholder: t(kind.kind === 'other' ? 'lostdoc.detail.other' : 'lostdoc.detail'),
      }));
  }));
  consentBox($('#lostdoc-consent'), { th: catalog.consent_th, en: catalog.consent_en, version: catalog.consent_version });
}

function items() {
  return [...$('#lostdoc-kinds').querySelectorAll('.kind-row')]
    .filter((row) => row.querySelector('input[type=checkbox]').checked)
    .map((row) => {
      const detail = row.querySelector('input[type=text]').value.trim();
      return detail ? { kind: row.dataset.kind, detail } : { kind: row.dataset.kind };
    });
}

function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Bangkok' }).format(new Date());
}

function checkId() {
  const input = $('#lostdoc-id');
  const wrong = input.value.trim() !== '' && !thaiIdValid(input.value);
  $('#lostdoc-id-error').textContent = wrong ? t('lostdoc.id.wrong') : '';
  input.setAttribute('aria-invalid', wrong ? 'true' : 'false');
  return !wrong;
}

function valid() {
  const f = form();
  const chosen = items();
  if (!station.value) return fail(f, t('service.station.needed'));
  if ($('#lostdoc-name').value.trim().length < 2) return fail(f, t('lostdoc.missing.name'));
  if (!thaiIdValid($('#lostdoc-id').value)) { checkId(); $('#lostdoc-id').focus(); return fail(f, t('lostdoc.id.wrong')); }
  if (!/^\+?[0-9][0-9 -]{5,19}$/.test($('#lostdoc-phone').value.trim())) return fail(f, t('service.missing.phone'));
  if (!chosen.length) return fail(f, t('lostdoc.missing.kind'));
  if (chosen.some((i) => i.kind === 'other' && !i.detail)) return fail(f, t('lostdoc.missing.other'));
  const day = $('#lostdoc-date').value;
  if (!day) return fail(f, t('lostdoc.missing.date'));
  if (day > today()) return fail(f, t('lostdoc.future'));
  if ($('#lostdoc-where').value.trim().length < 2) return fail(f, t('lostdoc.missing.where'));
  if ($('#lostdoc-how').value.trim().length < 2) return fail(f, t('lostdoc.missing.how'));
  if (!consented($('#lostdoc-consent'))) return fail(f, t('consent.needed'));
  return !fail(f, '');
}

async function submit(event) {
  event.preventDefault();
  if (!valid()) return;
  const button = form().querySelector('button[type=submit]');
  button.disabled = true;
  button.textContent = t('form.sending');
  draftKey = draftKey || newKey();
  const body = {
    client_key: draftKey, station_code: station.value.code, name: $('#lostdoc-name').value.trim(),
    national_id: normalizeThaiId($('#lostdoc-id').value), phone: $('#lostdoc-phone').value.trim(),
    items: items(), lost_on: $('#lostdoc-date').value, lost_where: $('#lostdoc-where').value.trim(),
    how: $('#lostdoc-how').value.trim(), consent_version: $('#lostdoc-consent').dataset.version,
  };
  if ($('#lostdoc-time').value) body.lost_time = $('#lostdoc-time').value.slice(0, 5);
  try {
    const result = await send('/lostdocs', body);
    saveTicket({ code: result.code, kind: 'lostdoc', key: draftKey, at: new Date().toISOString(), status: result.status });
    draftKey = null;
    form().reset();
    renderKinds();
    go(`/citizen/t/${result.code}`);
  } catch (err) {
    fail(form(), problemText(err));
  } finally {
    button.disabled = false;
    button.textContent = t('form.send');
  }
}

async function download(code, key, button) {
  button.disabled = true;
  try {
    const url = await blobUrl(`/lostdocs/${encodeURIComponent(code)}/certificate.pdf`, key);
    const link = el('a', { href: url, download: `lostdoc-${code}.pdf` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (err) {
    toast(problemText(err, { conflict: t('lostdoc.cert.none') }), 'error');
  } finally {
    button.disabled = false;
  }
}

// The request's page (service-item.js polls it).
export const lostdocView = {
  path: (code) => `/lostdocs/${encodeURIComponent(code)}`,
  final: (data) => data.status !== 'pending',
  render(data, own) {
    const parts = [
      statusPill('lostdoc', data.status),
      el('p', { class: 'muted' }, t(`lostdoc.status.${data.status}.hint`)),
      facts([
        data.record_no ? [t('lostdoc.record'), el('b', { class: 'record' }, data.record_no)] : null,
        [t('lostdoc.station'), pick(data.station, 'name')],
        [t('lostdoc.kinds'), data.items.map((i) => (i.detail ? `${pick(i)} (${i.detail})` : pick(i))).join(', ')],
        [t('lostdoc.name'), data.masked_name],
        [t('lostdoc.sent'), formatDateTime(data.created_at)],
        data.issued_at ? [t('lostdoc.issued'), formatDateTime(data.issued_at)] : null,
        data.revoked_at ? [t('lostdoc.revoked'), formatDateTime(data.revoked_at)] : null,
        data.revoke_reason ? [t('lostdoc.revoke_reason'), data.revoke_reason] : null,
      ]),
    ];
    if (data.status === 'issued' && own) {
      const button = el('button', { type: 'button', class: 'btn primary wide', id: 'lostdoc-download' }, t('lostdoc.download'));
      button.addEventListener('click', () => download(data.code, own.key, button));
      parts.push(button, el('p', { class: 'muted' }, t('lostdoc.download.hint')));
    }
    return parts;
  },
};

export function initLostdoc(navigate) {
  go = navigate;
  station = new StationChoice($('[data-station=lostdoc]'));
  echoDate($('#lostdoc-date'));
  $('#lostdoc-date').max = today();
  $('#lostdoc-id').addEventListener('blur', checkId);
  $('#lostdoc-id').addEventListener('input', () => { if ($('#lostdoc-id-error').textContent) checkId(); });
  $('#lostdoc-kinds').addEventListener('change', (e) => {
    const row = e.target.closest('.kind-row');
    if (row && e.target.type === 'checkbox') row.querySelector('input[type=text]').hidden = !e.target.checked;
  });
  form().addEventListener('submit', submit);
}

export function showLostdoc() {
  station.start();
  if (!catalog || !$('#lostdoc-kinds').children.length) loadCatalog();
}

export function redrawLostdoc() {
  renderKinds();
  station.redraw();
  $('#lostdoc-date').dispatchEvent(new Event('change'));
}
