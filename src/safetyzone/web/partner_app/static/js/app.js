// The partner page: log in, then the footage requests to the partner's cameras (footage.js)
// and the work orders addressed to the partner, the unfinished
// first (the most urgent due time first, overdue ones marked), each with what may be done
// next: accept, refuse (with the reason), in progress, done (with a note). Data is text:
// every card is built from DOM nodes (dom.js), never from HTML.
import { $, el, toast } from '/pwa/static/js/dom.js';
import { currentLang, formatDateTime, loadLang, onLangChange, t } from '/pwa/static/js/i18n.js';
import { ApiError, api, errorText } from './api.js';
import { bindFootage, loadFootage, renderFootage } from './footage.js';
import { AuthError, hasLogin, login, logout, username } from './session.js';

const POLL_MS = 30000;
const UNFINISHED = new Set(['open', 'accepted', 'in_progress', 'rejected', 'done']);
// What the partner may do from each state (the server holds the same rule).
const NEXT = {
  open: ['accept', 'start', 'reject'],
  accepted: ['start', 'done', 'reject'],
  in_progress: ['done'],
};
let orders = [];
let denied = false;
let me = null;
let timer = null;

function show(screen) {
  $('#screen-login').hidden = screen !== 'login';
  $('#screen-orders').hidden = screen !== 'orders';
  document.body.dataset.screen = screen;
  if (screen === 'login') $('#username').value = $('#username').value || username();
}

function field(key, value) {
  return value ? [el('dt', {}, t(key)), el('dd', {}, value)] : [];
}

function historyLine(entry) {
  const who = entry.side === 'partner' ? entry.username : t('order.police');
  const what = [t(`status.${entry.to_status}`), who, entry.note].filter(Boolean).join(' · ');
  return el('li', {}, t('order.history', { at: formatDateTime(entry.at), what }));
}

function card(order) {
  const finished = !UNFINISHED.has(order.status);
  const station = currentLang() === 'en' ? order.station_name_en || order.station_name_th : order.station_name_th;
  const actions = (NEXT[order.status] || []).map((action) => el('button', {
    type: 'button', class: `btn ${action === 'reject' ? '' : 'primary'}`,
    'data-action': action, 'data-order': order.id,
  }, t(`action.${action}`)));
  return el('li', {
    class: `card order${order.overdue ? ' overdue' : ''}${finished ? ' finished' : ''}`,
    'data-code': order.code, 'data-status': order.status,
  },
  el('div', { class: 'order-head' },
    el('span', { class: 'order-code' }, order.code),
    el('span', { class: `pill s-${order.status}` }, t(`status.${order.status}`)),
    order.overdue ? el('span', { class: 'late' }, t('order.overdue')) : null),
  el('h3', {}, t(`kind.${order.kind}`)),
  el('p', {}, order.description),
  el('dl', {},
    el('dt', {}, t('order.due')), el('dd', { class: 'due' }, formatDateTime(order.due_at)),
    ...field('order.place', order.place),
    ...field('order.point', order.camera_code || order.asset_code),
    ...field('order.station', station),
    ...field('order.priority', `P${order.priority}`),
    ...field('order.reason', order.reject_reason)),
  el('a', { class: 'btn small', href: `geo:${order.lat},${order.lon}?q=${order.lat},${order.lon}` }, t('order.map')),
  actions.length ? el('div', { class: 'row' }, actions) : null,
  el('details', { class: 'history' }, el('summary', {}, t('order.history_title', { n: order.history.length })),
    el('ul', { class: 'plain' }, order.history.map(historyLine))));
}

function render() {
  const list = $('#orders');
  list.replaceChildren(...orders.map(card));
  $('#orders-denied').hidden = !denied;
  $('#orders-none').hidden = denied || orders.length > 0;
  const open = orders.filter((o) => ['open', 'accepted', 'in_progress'].includes(o.status)).length;
  const overdue = orders.filter((o) => o.overdue).length;
  $('#orders-summary').textContent = denied ? '' : t('orders.summary', { open, overdue });
  $('#orders-who').textContent = me ? t('orders.who', { name: me.display_name }) : '';
}

async function load() {
  if (!hasLogin()) { show('login'); return; }
  try {
    if (!me) {
      me = await api('/api/v1/auth/me');
      denied = !(me.permissions || []).includes('workorder.reply');
    }
    orders = denied ? [] : await api('/api/v1/partner/workorders');
    show('orders');
    render();
    await loadFootage(me); // footage requests to the partner's cameras (footage.js)
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      logout();
      me = null;
      show('login');
      return;
    }
    toast(errorText(err), 'error');
  }
}

function replace(order) {
  orders = orders.map((o) => (o.id === order.id ? order : o));
  render();
}

async function act(id, action, note) {
  const order = orders.find((o) => o.id === id);
  const body = { action, version: order?.version };
  if (note) body.note = note;
  try {
    replace(await api(`/api/v1/partner/workorders/${encodeURIComponent(id)}/actions`, { method: 'POST', json: body }));
    toast(t(`toast.${action}`), 'ok');
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      toast(t('toast.moved'), 'error');
      await load();
      return true;
    }
    toast(errorText(err), 'error');
    return false;
  }
}

// Refuse and done ask for words first, in the page's own dialog (never a native prompt).
function ask(id, action) {
  const order = orders.find((o) => o.id === id);
  const dialog = $('#answer-dialog');
  $('#answer-title').textContent = t(`answer.${action}.title`);
  $('#answer-order').textContent = order ? `${order.code} · ${t(`kind.${order.kind}`)}` : '';
  $('#answer-label').textContent = t(`answer.${action}.label`);
  $('#answer-ok').textContent = t(`answer.${action}.ok`);
  $('#answer-ok').className = `btn ${action === 'reject' ? 'danger' : 'primary'}`;
  $('#answer-note').value = '';
  $('.error', dialog).textContent = '';
  dialog.dataset.order = id;
  dialog.dataset.action = action;
  dialog.showModal();
  $('#answer-note').focus();
}

function bind() {
  $('#login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = $('.error', event.target);
    error.textContent = '';
    try {
      await login($('#username').value.trim(), $('#password').value);
      $('#password').value = '';
      me = null;
      await load();
    } catch (err) {
      error.textContent = err instanceof AuthError && err.status < 500 ? t('login.failed') : t('error.network');
    }
  });
  $('#logout').addEventListener('click', () => {
    logout();
    me = null;
    orders = [];
    show('login');
  });
  $('#orders-refresh').addEventListener('click', load);
  $('#orders').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const { action, order } = button.dataset;
    if (action === 'reject' || action === 'done') ask(order, action);
    else {
      button.disabled = true;
      act(order, action).finally(() => { button.disabled = false; });
    }
  });
  $('#answer-cancel').addEventListener('click', () => $('#answer-dialog').close());
  $('#answer-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const dialog = $('#answer-dialog');
    const note = $('#answer-note').value.trim();
    if (dialog.dataset.action === 'reject' && note.length < 3) {
      $('.error', dialog).textContent = t('answer.reason_needed');
      return;
    }
    $('#answer-ok').disabled = true;
    const ok = await act(dialog.dataset.order, dialog.dataset.action, note || null);
    $('#answer-ok').disabled = false;
    if (ok) dialog.close();
  });
  $('#lang-switch').addEventListener('click', () => loadLang(currentLang() === 'th' ? 'en' : 'th'));
  window.addEventListener('online', () => { $('#offline').hidden = true; load(); });
  window.addEventListener('offline', () => { $('#offline').hidden = false; });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) load(); });
}

async function start() {
  await loadLang();
  onLangChange(() => { if (!$('#screen-orders').hidden) { render(); renderFootage(); } });
  bind();
  bindFootage();
  $('#offline').hidden = navigator.onLine;
  await load();
  clearInterval(timer);
  timer = setInterval(() => { if (hasLogin() && !document.hidden) load(); }, POLL_MS);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/partner/sw.js', { scope: '/partner' }).catch(() => {});
  }
}

start();
