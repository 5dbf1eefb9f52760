// The unit's patrol plan (boxes, risk spots, houses to visit, and how far along) and today's
// checkpoint sessions, with a form to log each round of checks (through the outbox).
import { ApiError, errorText, get, problemText } from './api.js';
import { $, el, toast } from '/pwa/static/js/dom.js';
import { formatTime, pick, t } from '/pwa/static/js/i18n.js';
import { add, onResult } from './outbox.js';

const PLAN = '/api/v1/officer/plan';
const CHECKPOINTS = '/api/v1/officer/checkpoints';

function unavailable(err) {
  return err instanceof ApiError && (err.status === 404 || err.status === 405) ? t('plan.unavailable') : errorText(err);
}

function target(item) {
  const wanted = [];
  if (item.target_visits) wanted.push(t('plan.visits', { n: item.visits, of: item.target_visits }));
  if (item.target_minutes) wanted.push(t('plan.minutes', { n: Math.round(item.minutes), of: item.target_minutes }));
  const last = item.last_visit_at ? t('plan.last', { at: formatTime(item.last_visit_at) }) : t('plan.never');
  return el('li', { class: `target t-${item.status}`, 'data-kind': item.kind },
    el('div', { class: 'target-head' },
      el('strong', {}, pick(item, 'name') || item.name_th),
      el('span', { class: `chip-state c-${item.status}` }, t(`plan.state.${item.status}`))),
    el('span', { class: 'muted' }, [t(`plan.kind.${item.kind}`), ...wanted].join(' · ')),
    el('span', { class: 'muted' }, last),
    item.in_high_risk_now ? el('span', { class: 'risk' }, t('plan.risk_now')) : null,
    item.kind === 'home_watch' && item.ref_id ? el('a', {
      class: 'btn small', href: `/officer#homewatch/${encodeURIComponent(item.ref_id)}`, 'data-go': 'homewatch',
      'data-house': item.ref_id }, t('plan.homewatch.open')) : null);
}

async function showPlan() {
  const empty = $('#plan-empty');
  try {
    const answer = await get(PLAN);
    const targets = answer.targets || [];
    $('#plan-name').textContent = answer.plan ? `${answer.plan.name} · ${formatTime(answer.plan.starts_at)}–${formatTime(answer.plan.ends_at)}` : '';
    const s = answer.plan?.summary;
    $('#plan-summary').textContent = s ? t('plan.summary', { visited: s.visited, pending: s.pending, missed: s.missed, percent: s.percent }) : '';
    $('#plan-list').replaceChildren(...targets.map(target));
    empty.hidden = targets.length > 0;
    empty.textContent = t('plan.none');
  } catch (err) {
    $('#plan-name').textContent = '';
    $('#plan-summary').textContent = '';
    $('#plan-list').replaceChildren();
    empty.hidden = false;
    empty.textContent = unavailable(err);
  }
}

function number(name, label, id) {
  return el('div', { class: 'num' },
    el('label', { for: `${id}-${name}` }, label),
    el('input', { id: `${id}-${name}`, name, type: 'number', min: '0', max: name === 'arrests' ? '1000' : '10000', value: '0', inputmode: 'numeric' }));
}

function logForm(cp) {
  const id = `cp-${cp.id}`;
  const form = el('form', { class: 'form cp-form', noValidate: true, 'data-checkpoint': cp.id },
    el('div', { class: 'nums' },
      number('vehicles', t('checkpoint.vehicles'), id),
      number('persons', t('checkpoint.persons'), id),
      number('arrests', t('checkpoint.arrests'), id)),
    el('label', { for: `${id}-note` }, t('checkpoint.note')),
    el('textarea', { id: `${id}-note`, name: 'note', rows: '2', maxlength: '1000' }),
    el('p', { class: 'error', role: 'alert' }),
    el('button', { type: 'submit', class: 'btn primary wide' }, t('checkpoint.log')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = $('.error', form);
    const values = {};
    for (const name of ['vehicles', 'persons', 'arrests']) {
      const n = Number(form[name].value);
      if (!Number.isInteger(n) || n < 0 || n > Number(form[name].max)) {
        error.textContent = t('checkpoint.bad_number');
        return;
      }
      values[name] = n;
    }
    const note = form.note.value.trim();
    if (note) values.note = note;
    error.textContent = '';
    await add('checkpoint', { path: `${CHECKPOINTS}/${encodeURIComponent(cp.id)}/log`, json: values, label: pick(cp, 'name') || cp.name_th, meta: { checkpoint: cp.id } });
    form.reset();
    toast(navigator.onLine ? t('checkpoint.sending') : t('checkpoint.queued'));
  });
  return form;
}

function checkpoint(cp) {
  return el('li', { class: 'card checkpoint', 'data-id': cp.id },
    el('div', { class: 'target-head' },
      el('strong', {}, pick(cp, 'name') || cp.name_th),
      el('span', { class: 'chip-state' }, t(`checkpoint.status.${cp.status}`))),
    el('span', { class: 'muted' }, `${formatTime(cp.starts_at)}–${formatTime(cp.ends_at)}`),
    el('span', {}, t('checkpoint.totals', { vehicles: cp.vehicles_checked, persons: cp.persons_checked, arrests: cp.arrests })),
    logForm(cp));
}

async function showCheckpoints() {
  const empty = $('#checkpoint-empty');
  try {
    const list = await get(CHECKPOINTS);
    $('#checkpoint-list').replaceChildren(...list.map(checkpoint));
    empty.hidden = list.length > 0;
    empty.textContent = t('checkpoint.none');
  } catch (err) {
    $('#checkpoint-list').replaceChildren();
    empty.hidden = false;
    empty.textContent = unavailable(err);
  }
}

export function showPlanScreen() {
  return Promise.all([showPlan(), showCheckpoints()]);
}

export function initPlan() {
  onResult(({ item, ok, status, body }) => {
    if (item.kind !== 'checkpoint') return;
    if (ok) {
      toast(t('checkpoint.logged', { name: item.label }), 'ok');
      if (document.body.dataset.screen === 'plan') showCheckpoints();
    } else {
      toast(t('outbox.ended', { what: t('outbox.kind.checkpoint'), why: problemText(status, body) }), 'error');
    }
  });
}
