// The People Poll: /citizen/poll/{code} shows one poll's questions; /citizen/poll?station=CODE
// (the LINE link, with the user's key as &k=) lists the station's open polls. Answers are
// anonymous: the phone sends only a random key (kept here, one per poll) or LINE's key, and
// the server keeps only an HMAC of it, apart from the answers. Nothing else is stored.
import { ApiError, call, errorText, send } from './api.js';
import { $, el } from '/pwa/static/js/dom.js';
import { formatDate, pick, t } from '/pwa/static/js/i18n.js';
import { newKey, recall, remember } from './store.js';

let shown = null; // { code, poll } of the poll on screen

function lineKey() {
  const k = new URLSearchParams(location.search).get('k');
  return k && /^[A-Za-z0-9_-]{22,64}$/.test(k) ? k : null;
}

// The key this phone answers a poll with: LINE's when the link carried one, else a random
// key made once per poll and kept, so a second try from this phone is the same person.
function mine(code) {
  const kept = recall(`poll.${code}`);
  if (kept && kept.key) return kept;
  const fresh = { key: lineKey() || newKey(), done: false };
  remember(`poll.${code}`, fresh);
  return fresh;
}

function view(...nodes) {
  $('#poll-view').replaceChildren(...nodes.filter(Boolean));
}

function said(key) {
  return el('div', { class: 'card', role: 'status', 'data-poll-end': key },
    el('h3', {}, t(`poll.${key}`)), el('p', { class: 'muted' }, t(`poll.${key}.lead`)));
}

function question(item, n) {
  const legend = el('legend', {}, `${n}. ${pick(item)}`);
  if (item.kind === 'multi') {
    return el('fieldset', { class: 'card poll-q', 'data-item': item.key, 'data-kind': 'multi' }, legend,
      ...item.options.map(([key, th, en]) => el('label', { class: 'check' },
        el('input', { type: 'checkbox', name: item.key, value: key }), el('span', {}, pick({ th, en })))));
  }
  return el('fieldset', { class: 'card poll-q', 'data-item': item.key, 'data-kind': 'likert' }, legend,
    ...item.labels.map(([th, en], i) => el('label', { class: 'check' },
      el('input', { type: 'radio', name: item.key, value: String(i + 1) }),
      el('span', {}, `${i + 1} · ${pick({ th, en })}`))));
}

function answers(form) {
  const out = {};
  for (const set of form.querySelectorAll('fieldset[data-item]')) {
    const key = set.dataset.item;
    if (set.dataset.kind === 'multi') {
      const chosen = [...set.querySelectorAll('input:checked')].map((x) => x.value);
      if (chosen.length) out[key] = chosen;
    } else {
      const picked = set.querySelector('input:checked');
      if (picked) out[key] = Number(picked.value);
    }
  }
  return out;
}

function render() {
  if (!shown) return;
  const { code, poll } = shown;
  const head = [
    el('h2', {}, t('poll.title')),
    el('p', {}, `${pick(poll, 'zone_name')} · ${poll.wave_name}`),
    el('p', { class: 'muted' }, `${pick(poll, 'station_name')} · ${t('poll.until', { date: formatDate(poll.closes_at) })}`),
    el('p', { class: 'muted' }, t('poll.anonymous')),
  ];
  const kept = mine(code);
  if (kept.done) { view(...head, said('already')); return; }
  if (!poll.accepting) { view(...head, said('closed')); return; }
  const error = el('p', { class: 'error', role: 'alert' });
  const button = el('button', { type: 'submit', class: 'btn primary wide' }, t('poll.send'));
  const form = el('form', { id: 'poll-form', class: 'form', novalidate: true },
    ...poll.items.map((item, i) => question(item, i + 1)), error, button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = answers(form);
    if (!Object.keys(body).length) { error.textContent = t('poll.empty'); return; }
    button.disabled = true;
    error.textContent = '';
    try {
      await send(`/polls/${encodeURIComponent(code)}/responses`, { answers: body }, { key: kept.key });
      remember(`poll.${code}`, { ...kept, done: true });
      view(...head, said('thanks'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && /already/.test(err.body.detail || '')) {
        remember(`poll.${code}`, { ...kept, done: true });
        view(...head, said('already'));
        return;
      }
      error.textContent = err instanceof ApiError && err.status === 409 ? t('poll.closed') : errorText(err);
      button.disabled = false;
    }
  });
  view(...head, form);
}

async function openOne(code) {
  view(el('p', { class: 'muted', role: 'status' }, t('poll.loading')));
  try {
    shown = { code, poll: await call(`/polls/${encodeURIComponent(code)}`) };
    render();
  } catch (err) {
    shown = null;
    view(el('p', { class: 'error', role: 'alert' }, errorText(err)));
  }
}

async function list(station) {
  view(el('p', { class: 'muted', role: 'status' }, t('poll.loading')));
  try {
    const polls = await call(`/polls?station=${encodeURIComponent(station)}`);
    if (polls.length === 1) { await openOne(polls[0].code); return; }
    const k = lineKey();
    view(el('h2', {}, t('poll.title')), polls.length
      ? el('ul', { class: 'plain' }, ...polls.map((p) => el('li', {}, el('a', {
        class: 'btn wide', href: `/citizen/poll/${encodeURIComponent(p.code)}${k ? `?k=${k}` : ''}`,
      }, `${pick(p, 'zone_name')} · ${p.wave_name}`))))
      : el('p', { class: 'muted' }, t('poll.none')));
  } catch (err) {
    view(el('p', { class: 'error', role: 'alert' }, errorText(err)));
  }
}

export function isPollPath() {
  return /^\/citizen\/poll(\/[^/]+)?$/.test(location.pathname);
}

export function showPoll() {
  const match = location.pathname.match(/^\/citizen\/poll\/([^/]+)$/);
  if (match) { openOne(decodeURIComponent(match[1]).toUpperCase()); return; }
  shown = null;
  const station = new URLSearchParams(location.search).get('station');
  if (station) list(station);
  else view(el('p', { class: 'muted' }, t('poll.none')));
}

export function redrawPoll() { render(); }
