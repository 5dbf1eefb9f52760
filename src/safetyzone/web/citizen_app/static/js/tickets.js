// My tickets (the codes and keys this phone keeps) and my data (PDPA): what the station
// keeps about a ticket, and deleting the personal part of it.
import { call, errorText } from './api.js';
import { label, statusLabel } from './catalog.js';
import { $, el } from '/pwa/static/js/dom.js';
import { formatDateTime, t } from '/pwa/static/js/i18n.js';
import { forget, ticket, tickets } from './store.js';

// Station services' requests sit in the same list; their states are their own words, and
// "my data" (the tickets' PDPA route) is not theirs.
const SERVICES = new Set(['lostdoc', 'homewatch', 'consult']);
const stateOf = (item) => (SERVICES.has(item.kind) ? t(`${item.kind}.status.${item.status}`) : statusLabel(item.status));

export function renderTickets() {
  const list = tickets();
  $('#tickets-empty').hidden = list.length > 0;
  $('#ticket-list').replaceChildren(...list.map((item) => el('li', { class: 'ticket-row', 'data-code': item.code },
    el('a', { class: 'ticket-link', href: `/citizen/t/${encodeURIComponent(item.code)}`, 'data-go': `t/${item.code}` },
      el('span', { class: 'code' }, item.code),
      el('span', {}, t(`kind.${item.kind}`), item.status ? ` · ${stateOf(item)}` : ''),
      el('small', { class: 'muted' }, formatDateTime(item.at))),
    el('button', { type: 'button', class: 'btn small forget', 'data-code': item.code }, t('tickets.forget')))));
}

export function renderDataPicker(code) {
  const list = tickets().filter((item) => !SERVICES.has(item.kind));
  const select = $('#data-ticket');
  const now = code || select.value;
  select.replaceChildren(...list.map((item) => el('option', { value: item.code, selected: item.code === now },
    `${item.code} · ${t(`kind.${item.kind}`)}`)));
  $('#data-none').hidden = list.length > 0;
  $('#data-show').disabled = !list.length;
  $('#data-delete').disabled = !list.length;
}

// What is stored, as label: value lines. The fields the app knows are said in words; any
// other field is still listed (walked, as text), so nothing kept is left out of the answer.
const yesNo = (v) => t(v ? 'common.yes' : 'common.no');
const count = (v) => (Array.isArray(v) ? v.length : Number(v) || 0);
const KNOWN = {
  code: (v) => v,
  kind: (v) => t(`kind.${v}`),
  channel: (v) => t(`channel.${v}`),
  category: (v, d) => label(d.kind === 'tip' ? 'tip_categories' : 'categories', v),
  description: (v) => v || '—',
  contact: (v) => (v ? [v.name, v.phone].filter(Boolean).join(' · ') || '—' : '—'),
  anonymous: yesNo,
  consent: (v) => (v ? `${(v.purposes || []).map((p) => t(`kind.${p}`)).join(', ')} · ${v.version || ''} · ${formatDateTime(v.at)}` : '—'),
  media: (v) => t('data.count', { n: count(v) }),
  messages: (v) => t('data.count', { n: count(v) }),
  fixes: (v) => t('data.count', { n: count(v) }),
  created_at: (v) => formatDateTime(v),
  retain_until: (v) => formatDateTime(v),
  personal_data_deleted: yesNo,
};

function raw(value, prefix) {
  if (value === null || typeof value !== 'object') return [[prefix, value === null ? '—' : String(value)]];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i + 1), v]) : Object.entries(value);
  if (!entries.length) return [[prefix, '—']];
  return entries.flatMap(([k, v]) => raw(v, `${prefix} › ${k}`));
}

function lines(data) {
  const out = [];
  if ('lat' in data) out.push([t('data.place'), data.lat === null ? '—' : `${data.lat}, ${data.lon}`]);
  for (const [key, value] of Object.entries(data)) {
    if (key === 'lat' || key === 'lon') continue;
    if (KNOWN[key]) out.push([t(`data.${key}`), KNOWN[key](value, data)]);
    else out.push(...raw(value, key));
  }
  return out;
}

async function show() {
  const code = $('#data-ticket').value;
  const error = $('#screen-data .error');
  error.textContent = '';
  try {
    const data = await call(`/my-data/${encodeURIComponent(code)}`, { key: ticket(code)?.key });
    $('#data-view').replaceChildren(...lines(data).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  } catch (err) {
    error.textContent = errorText(err);
  }
}

async function remove() {
  const code = $('#data-ticket').value;
  if (!code || !window.confirm(t('mydata.delete.confirm', { code }))) return;
  const error = $('#screen-data .error');
  try {
    const data = await call(`/my-data/${encodeURIComponent(code)}`, { method: 'DELETE', key: ticket(code)?.key });
    error.textContent = '';
    $('#data-view').replaceChildren(el('dt', {}, t('mydata.deleted')), el('dd', {}, data.code || code));
  } catch (err) {
    error.textContent = errorText(err);
  }
}

export function initTickets() {
  $('#ticket-list').addEventListener('click', (e) => {
    const code = e.target.closest('button.forget')?.dataset.code;
    if (code && window.confirm(t('tickets.forget.confirm', { code }))) {
      forget(code);
      renderTickets();
    }
  });
  $('#data-show').addEventListener('click', show);
  $('#data-delete').addEventListener('click', remove);
}
