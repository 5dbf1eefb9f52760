// Lost-document reports at the station's desk (แจ้งเอกสารหาย): the chosen station's
// reports with their status (masked names only), repeats flagged with the earlier reports
// they repeat, one report opened with the declarant's name, ID and phone (the server audits
// each read, so the list never asks for them), issue a waiting one, revoke with a reason
// after a confirmation, download the certificate to print; and the station's setting
// (issue at once or after review, the repeat window) for those allowed (lostdoc.settings).
import { currentLang, formatDate, formatDateTime, t } from './i18n.js';
import { api, ApiError } from './session.js';
import { can, store } from './store.js';
import { el, toast } from './ui.js';
import { button, card, confirmAction, field, input, refused } from './services-ui.js';

const PATH = '/api/v1/lostdocs';
const STATUSES = ['', 'pending', 'issued', 'revoked'];
const state = { rows: [], total: 0, flags: [], settings: null, opened: null, status: '' };
let rerender = () => {};

export const lostdocsProbe = state; // for the browser tests

export function allowed() { return can('lostdoc.review'); }

export async function loadLostdocs(onChange) {
  rerender = onChange;
  if (!allowed() || !store.station) return;
  const station = encodeURIComponent(store.station);
  const filter = state.status ? `&status=${state.status}` : '';
  const [page, flags, settings] = await Promise.all([
    api(`${PATH}?station_code=${station}${filter}&limit=200`),
    api(`${PATH}/flags?station_code=${station}&limit=100`),
    can('lostdoc.settings') ? api(`${PATH}/settings?station_code=${station}`) : null,
  ]);
  state.rows = page.items;
  state.total = page.total;
  state.flags = flags.items;
  state.settings = settings;
  if (state.opened && state.opened.station_code !== store.station) state.opened = null;
}

const kinds = (list) => list.map((k) => t(`lostdoc.kind.${k}`)).join(', ');
const statusBadge = (status) => el('span', { class: `badge lostdoc-status ${status}` }, t(`lostdoc.status.${status}`));

function repeatsOf(row) {
  return el('ul', { class: 'plain lostdoc-repeats' }, row.repeats.map((r) => el('li', {},
    el('span', { class: 'code' }, r.code), ' ', r.record_no || '', ' · ', kinds(r.kinds), ' · ',
    formatDate(r.created_at), r.station_code !== row.station_code ? ` · ${r.station_code}` : '')));
}

async function open(id) {
  try {
    state.opened = await api(`${PATH}/${encodeURIComponent(id)}`);
  } catch (err) { refused(err); }
  rerender();
}

function reportRow(row) {
  const tr = el('tr', { 'data-code': row.code, 'data-status': row.status, class: row.flagged ? 'flagged' : '' },
    el('th', {}, el('span', { class: 'code' }, row.code), row.record_no ? el('div', { class: 'muted' }, row.record_no) : null),
    el('td', {}, statusBadge(row.status), row.flagged ? el('span', { class: 'badge lostdoc-flag' }, t('lostdoc.flagged')) : null),
    el('td', {}, row.masked_name),
    el('td', {}, kinds(row.kinds)),
    el('td', {}, formatDateTime(row.created_at)),
    el('td', {}, button('lostdoc.open', () => open(row.id), '', { 'data-open': row.code })));
  if (state.opened?.id === row.id) tr.classList.add('opened');
  return tr;
}

function listCard() {
  const filter = el('select', { id: 'lostdoc-filter', 'aria-label': t('lostdoc.filter') },
    STATUSES.map((s) => el('option', { value: s }, t(s ? `lostdoc.status.${s}` : 'lostdoc.all'))));
  filter.value = state.status;
  filter.addEventListener('change', async () => {
    state.status = filter.value;
    await loadLostdocs(rerender).catch(refused);
    rerender();
  });
  return card('lostdoc.reports', 'lostdoc-list',
    el('div', { class: 'row svc-toolbar' }, filter,
      el('span', { class: 'muted' }, t('lostdoc.count', { n: state.rows.length, total: state.total }))),
    state.rows.length ? el('div', { class: 'svc-scroll' }, el('table', { class: 'grid svc-table lostdoc-reports' },
      el('thead', {}, el('tr', {}, ...['code', 'status', 'name', 'kinds', 'sent', ''].map((k) => el('th', {}, k ? t(`lostdoc.col.${k}`) : '')))),
      el('tbody', {}, state.rows.map(reportRow))))
      : el('p', { class: 'muted' }, t('lostdoc.none')));
}

function flagsCard() {
  if (!state.flags.length) return null;
  return card('lostdoc.flags', 'lostdoc-flags',
    el('p', { class: 'muted' }, t('lostdoc.flags_hint')),
    el('ul', { class: 'plain svc-list' }, state.flags.map((row) => el('li', { 'data-code': row.code },
      el('div', { class: 'row' }, el('b', { class: 'code' }, row.code), row.masked_name, ' · ', kinds(row.kinds),
        button('lostdoc.open', () => open(row.id))),
      el('div', { class: 'muted' }, t('lostdoc.repeats')), repeatsOf(row)))));
}

async function act(row, action, json, doneKey) {
  try {
    const answer = await api(`${PATH}/${encodeURIComponent(row.id)}/${action}`, { method: 'POST', json });
    // The answer is the list's row: what the action changed beyond it is known here.
    const mine = action === 'issue' ? { issued_by: store.me.username, issued_by_name: store.me.display_name }
      : { revoke_reason: json.reason, revoked_by: store.me.username };
    state.opened = { ...state.opened, ...answer, ...mine };
    toast(t(doneKey, { code: row.code, record: answer.record_no || '' }), 'ok');
  } catch (err) { refused(err); }
  await loadLostdocs(rerender).catch(() => {});
  rerender();
}

async function revoke(row) {
  const reason = await confirmAction({
    title: t('lostdoc.revoke_title', { code: row.code }), text: t('lostdoc.revoke_text'),
    confirmKey: 'lostdoc.revoke', reason: 'lostdoc.revoke_reason' });
  if (reason) await act(row, 'revoke', { reason }, 'lostdoc.revoked');
}

// The certificate comes with the officer's token, so it cannot be a plain link: fetched,
// then handed to the browser as a file to save or print.
async function download(row) {
  try {
    const response = await api(`${PATH}/${encodeURIComponent(row.id)}/certificate.pdf`, { raw: true });
    if (!response.ok) {
      throw new ApiError(response.status, await response.json().catch(() => ({})));
    }
    const url = URL.createObjectURL(await response.blob());
    const link = el('a', { href: url, download: `lostdoc-${row.code}.pdf`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (err) { refused(err); }
}

function meta(pairs) {
  return el('dl', { class: 'inc-meta' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)]).flat());
}

function detailCard() {
  const r = state.opened;
  if (!r || r.station_code !== store.station) {
    return card('lostdoc.detail', 'lostdoc-detail', el('p', { class: 'muted' }, t('lostdoc.pick')));
  }
  const items = r.items.map((i) => `${currentLang() === 'en' ? i.en : i.th}${i.detail ? ` (${i.detail})` : ''}`);
  const actions = [];
  if (r.status === 'pending') actions.push(button('lostdoc.issue', () => act(r, 'issue', undefined, 'lostdoc.issued'), 'primary', { 'data-issue': r.code }));
  if (r.status === 'issued') actions.push(button('lostdoc.certificate', () => download(r), '', { 'data-certificate': r.code }));
  if (r.status !== 'revoked') actions.push(button('lostdoc.revoke', () => revoke(r), 'danger', { 'data-revoke': r.code }));
  return card('lostdoc.detail', 'lostdoc-detail',
    el('div', { class: 'row' }, el('b', { class: 'code' }, r.code), statusBadge(r.status), r.record_no ? el('span', {}, r.record_no) : null),
    el('div', { class: 'lostdoc-identity', 'data-identity': '' },
      el('p', { class: 'muted' }, t('lostdoc.identity_audited')),
      meta([['lostdoc.name', r.name], ['lostdoc.national_id', r.national_id], ['lostdoc.phone', r.phone]])),
    meta([
      ['lostdoc.items', items.join(', ')],
      ['lostdoc.lost_on', `${formatDate(`${r.lost_on}T12:00:00+07:00`)}${r.lost_time ? ` ${r.lost_time}` : ''}`],
      ['lostdoc.lost_where', r.lost_where], ['lostdoc.how', r.how],
      ['lostdoc.col.sent', formatDateTime(r.created_at)],
      ['lostdoc.issued_at', r.issued_at ? formatDateTime(r.issued_at) : null],
      ['lostdoc.issued_by', r.issued_by_name || r.issued_by || (r.issued_at ? t('lostdoc.auto') : null)],
      ['lostdoc.revoke_reason', r.revoke_reason]]),
    r.repeats.length ? [el('p', { class: 'badge lostdoc-flag' }, t('lostdoc.repeats')), repeatsOf(r)] : null,
    el('div', { class: 'inc-actions' }, actions));
}

function settingsCard() {
  const s = state.settings;
  if (!s) return null;
  const auto = el('select', { id: 'lostdoc-auto' },
    el('option', { value: 'true' }, t('lostdoc.setting.auto')), el('option', { value: 'false' }, t('lostdoc.setting.review')));
  auto.value = String(s.auto_issue);
  const days = input({ type: 'number', min: 1, max: 3650, value: s.repeat_days, id: 'lostdoc-days' });
  const save = button('svc.save', async () => {
    try {
      state.settings = await api(`${PATH}/settings`, { method: 'PUT', json: {
        station_code: store.station, auto_issue: auto.value === 'true', repeat_days: Number(days.value) } });
      toast(t('lostdoc.setting.saved'), 'ok');
    } catch (err) { refused(err); }
    rerender();
  }, 'primary', { 'data-save-settings': '' });
  return card('lostdoc.setting.title', 'lostdoc-settings',
    el('div', { class: 'svc-form inline' }, field('lostdoc.setting.mode', auto), field('lostdoc.setting.days', days), save),
    s.is_default ? el('p', { class: 'muted' }, t('lostdoc.setting.default')) : null);
}

export function renderLostdocs() {
  return el('div', { class: 'svc-grid lostdocs' },
    el('div', { class: 'svc-col' }, flagsCard(), listCard()),
    el('div', { class: 'svc-col' }, detailCard(), settingsCard()));
}
