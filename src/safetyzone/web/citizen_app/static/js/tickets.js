// My tickets (the codes and keys this phone keeps) and my data (PDPA): what the station
// keeps about a ticket, and deleting the personal part of it.
import { call, errorText } from './api.js';
import { statusLabel } from './catalog.js';
import { $, el } from './dom.js';
import { formatDateTime, t } from './i18n.js';
import { forget, ticket, tickets } from './store.js';

export function renderTickets() {
  const list = tickets();
  $('#tickets-empty').hidden = list.length > 0;
  $('#ticket-list').replaceChildren(...list.map((item) => el('li', { class: 'ticket-row', 'data-code': item.code },
    el('a', { class: 'ticket-link', href: `/citizen/t/${encodeURIComponent(item.code)}`, 'data-go': `t/${item.code}` },
      el('span', { class: 'code' }, item.code),
      el('span', {}, t(`kind.${item.kind}`), item.status ? ` · ${statusLabel(item.status)}` : ''),
      el('small', { class: 'muted' }, formatDateTime(item.at))),
    el('button', { type: 'button', class: 'btn small forget', 'data-code': item.code }, t('tickets.forget')))));
}

export function renderDataPicker(code) {
  const list = tickets();
  const select = $('#data-ticket');
  const now = code || select.value;
  select.replaceChildren(...list.map((item) => el('option', { value: item.code, selected: item.code === now },
    `${item.code} · ${t(`kind.${item.kind}`)}`)));
  $('#data-none').hidden = list.length > 0;
  $('#data-show').disabled = !list.length;
  $('#data-delete').disabled = !list.length;
}

// What is stored, as label: value lines; nested objects and lists are walked, never trusted.
function lines(value, prefix = '') {
  if (value === null || typeof value !== 'object') return [[prefix, value === null ? '—' : String(value)]];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i + 1), v]) : Object.entries(value);
  if (!entries.length) return [[prefix, '—']];
  return entries.flatMap(([k, v]) => lines(v, prefix ? `${prefix} › ${k}` : k));
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
    $('#data-view').replaceChildren(el('dt', {}, t('mydata.deleted')), el('dd', {}, code),
      ...(data ? lines(data).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]) : []));
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
