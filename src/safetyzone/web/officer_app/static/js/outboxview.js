// "Waiting to send (n)": the badge in the header and the outbox screen, where the officer
// sees what has not reached the server yet and what the server refused, and why.
import { problemText } from './api.js';
import { $, el } from '/pwa/static/js/dom.js';
import { formatTime, t } from '/pwa/static/js/i18n.js';
import { dismiss, ended, onChange, onResult, othersWaiting, retryNow, waiting } from './outbox.js';

let items = [];

// Positions are sent by themselves every few seconds; the badge counts the officer's actions.
function actions() { return items.filter((item) => item.kind !== 'positions'); }

function describe(item) {
  const what = t(`outbox.kind.${item.kind}`);
  if (item.kind === 'status') return `${what}: ${t(`status.${item.json.status}`)}`;
  if (item.kind === 'positions') return t('outbox.fixes', { n: item.json.fixes.length });
  return item.label ? `${what}: ${item.label}` : what;
}

function row(item) {
  const tried = item.attempts ? t('outbox.tried', { n: item.attempts }) : t('outbox.not_tried');
  return el('li', { class: 'out-item', 'data-kind': item.kind },
    el('strong', {}, describe(item)),
    el('span', { class: 'muted' }, `${formatTime(item.created)} · ${tried}`));
}

function endedRow(item) {
  const button = el('button', { type: 'button', class: 'btn small' }, t('outbox.dismiss'));
  button.addEventListener('click', async () => { await dismiss(item.seq); render(); });
  return el('li', { class: 'out-item ended', 'data-kind': item.kind },
    el('strong', {}, describe(item)),
    el('span', { class: 'muted' }, formatTime(item.endedAt)),
    el('p', { class: 'why' }, problemText(item.status, item.problem)),
    button);
}

function badge() {
  const n = actions().length;
  const node = $('#outbox-badge');
  node.hidden = n === 0;
  node.textContent = t('outbox.badge', { n });
  node.dataset.count = String(n);
}

export async function render() {
  badge();
  if (document.body.dataset.screen !== 'outbox') return;
  const others = await othersWaiting();
  const n = actions().length;
  const fixes = items.filter((i) => i.kind === 'positions').reduce((sum, i) => sum + i.json.fixes.length, 0);
  const parts = [n ? t('outbox.count', { n }) : t('outbox.empty')];
  if (fixes) parts.push(t('outbox.fixes', { n: fixes }));
  if (others) parts.push(t('outbox.others', { n: others }));
  $('#outbox-state').textContent = parts.join(' · ');
  $('#outbox-retry').disabled = !n || !navigator.onLine;
  $('#outbox-list').replaceChildren(...items.map(row));
  const gone = await ended();
  $('#failed-list').replaceChildren(...gone.map(endedRow));
  $('#failed-empty').hidden = gone.length > 0;
}

export function initOutboxView() {
  onChange((list) => { items = list; render(); });
  onResult(() => { render(); });
  $('#outbox-retry').addEventListener('click', () => retryNow());
  window.addEventListener('online', render);
  window.addEventListener('offline', render);
  waiting().then((list) => { items = list; render(); }).catch(() => {});
}
