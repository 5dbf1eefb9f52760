// A volunteer's post desk (ตำรวจจิตอาสา): the posts whose roster names them, open now or why
// not, and at an open post a citizen's report and a consultation request taken for the
// person in front of them, into the same flows as the public app. Sent at once (the citizen
// is waiting for the code); a lost answer is sent again with the same client key, so the
// server answers the same report, never a second one. Refusals (off the roster, out of
// hours) are the server's own words, in the app's language.
import { ApiError, errorText, get, request } from './api.js';
import { $, el, newId, sleep } from '/pwa/static/js/dom.js';
import { formatDateTime, pick, t } from '/pwa/static/js/i18n.js';

const MINE = '/api/v1/posts/mine';
const PHONE = /^\+?[0-9][0-9 -]{5,19}$/;
const SLOTS_SHOWN = 8;

let duty = null; // the answer of /posts/mine
let chosen = null; // the post id the desk works for
let catalog = null; // the public catalog: categories and consent purposes
const slotsOf = new Map(); // station code -> the public slots answer
const keys = { report: null, consult: null }; // one client key per form until it is sent


export async function loadDuty() {
  duty = await get(MINE);
  const open = duty.posts.filter((p) => p.open_now);
  if (!duty.posts.some((p) => p.id === chosen)) chosen = (open[0] || duty.posts[0])?.id || null;
  return duty;
}

function post() { return duty?.posts.find((p) => p.id === chosen) || null; }

function postCard(item) {
  const input = el('input', { type: 'radio', name: 'post', value: item.id, id: `post-${item.id}`, checked: item.id === chosen });
  input.addEventListener('change', () => { chosen = item.id; renderDesk(); });
  const state = item.open_now ? el('span', { class: 'pill s-available' }, t('posts.open'))
    : el('span', { class: 'pill s-unavailable' }, t('posts.closed'));
  return el('label', { class: 'unit-choice', for: `post-${item.id}` }, input,
    el('span', { class: 'unit-card', 'data-open': String(item.open_now) },
      el('span', { class: 'unit-row' }, el('strong', {}, pick(item, 'name')), state),
      el('span', { class: 'muted' }, t('posts.hours', { hours: pick(item, 'hours') })),
      item.open_now ? null : el('span', { class: 'why' }, pick(item, 'reason'))));
}

function takenRow(item) {
  return el('li', { class: 'taken-item', 'data-code': item.code },
    el('strong', {}, item.code), el('span', { class: 'muted' }, `${t(`posts.taken.${item.kind}`)} · ${formatDateTime(item.at)}`));
}

function consentText(keysWanted) {
  const purposes = (catalog?.purposes || []).filter((p) => keysWanted.includes(p.key));
  return purposes.map((p) => el('p', { class: 'consent-text' }, pick(p)));
}

function renderReportForm() {
  const now = $('#post-report-form input[name=category]:checked')?.value;
  $('#post-categories').replaceChildren(...(catalog?.categories || []).map((c) => el('label', { class: 'chip' },
    el('input', { type: 'radio', name: 'category', value: c.key, checked: c.key === now }), el('span', {}, pick(c)))));
  $('#post-report-consent').replaceChildren(...consentText(['report']));
}

function renderConsultForm(item) {
  const answer = slotsOf.get(item.station_code);
  const slots = (answer?.slots || []).filter((s) => s.channels.includes('post')).slice(0, SLOTS_SHOWN);
  const picked = $('#post-consult-form input[name=slot]:checked')?.value;
  $('#post-slots').replaceChildren(...slots.map((s) => el('label', { class: 'chip slot' },
    el('input', { type: 'radio', name: 'slot', value: s.id, checked: s.id === picked }),
    el('span', {}, formatDateTime(s.starts_at)))));
  $('#post-slots-none').hidden = slots.length > 0;
  const topic = $('#post-topic').value;
  $('#post-topic').replaceChildren(el('option', { value: '' }, t('posts.consult.topic.pick')),
    ...(answer?.topics || []).map((x) => el('option', { value: x.key, selected: x.key === topic }, pick(x))));
  $('#post-consult-consent').replaceChildren(answer ? el('p', { class: 'consent-text' }, pick(answer.consent)) : '');
}

function renderDesk() {
  const item = post();
  $('#post-desk').hidden = !item?.open_now;
  if (!item?.open_now) return;
  $('#post-desk-name').textContent = t('posts.desk', { name: pick(item, 'name') });
  renderReportForm();
  renderConsultForm(item);
}

export function renderPosts() {
  if (!duty) return;
  $('#post-list').replaceChildren(...duty.posts.map(postCard));
  $('#posts-none').hidden = duty.posts.length > 0;
  $('#taken-list').replaceChildren(...duty.taken.slice(0, 10).map(takenRow));
  $('#taken-none').hidden = duty.taken.length > 0;
  renderDesk();
}

async function loadForms() {
  const item = post();
  if (!item?.open_now) return;
  const asks = [];
  if (!catalog) asks.push(get('/api/v1/public/catalog').then((c) => { catalog = c; }));
  if (!slotsOf.has(item.station_code)) {
    asks.push(get(`/api/v1/public/consult/slots?${new URLSearchParams({ station_code: item.station_code })}`)
      .then((answer) => { slotsOf.set(item.station_code, answer); }));
  }
  await Promise.allSettled(asks);
}

// The poll's refresh: a post that opened meanwhile gets its forms.
export async function refreshPosts() {
  await loadDuty();
  await loadForms();
  renderPosts();
}

export async function showPosts() {
  $('#posts-error').textContent = '';
  try {
    await refreshPosts();
  } catch (err) {
    $('#posts-error').textContent = errorText(err);
    renderPosts();
  }
}

// Send now; no answer or a 5xx is tried again with the same body (the same client key).
async function send(path, json) {
  for (let n = 1; ; n += 1) {
    let answer;
    try {
      answer = await request(path, { method: 'POST', json });
    } catch (err) {
      if (err.status === 0 && n < 3 && navigator.onLine) { await sleep(1500 * n); continue; }
      throw err;
    }
    if (answer.status >= 500 && n < 3) { await sleep(1500 * n); continue; }
    if (answer.status >= 400) throw new ApiError(answer.status, answer.body);
    return answer.body;
  }
}

function contactOf(form) {
  const name = form.name.value.trim();
  const phone = form.phone.value.trim();
  return { name, phone };
}

function reportBody(form) {
  const category = form.querySelector('input[name=category]:checked')?.value;
  if (!category) return t('form.missing.category');
  const description = form.description.value.trim();
  if (!description) return t('form.missing.text');
  const { name, phone } = contactOf(form);
  if (phone && !PHONE.test(phone)) return t('form.bad.phone');
  if (!form.consent.checked) return t('consent.needed');
  const purposes = ['report']; // its text covers the contact given
  const version = (catalog?.purposes || []).find((p) => p.key === 'report')?.version;
  if (!version) return t('error.network');
  keys.report = keys.report || newId();
  const body = { client_key: keys.report, category, description, consent: { purposes, version: String(version) } };
  if (name || phone) body.contact = { name: name || null, phone: phone || null };
  return body;
}

function consultBody(form, item) {
  const slot = form.querySelector('input[name=slot]:checked')?.value;
  if (!slot) return t('form.missing.slot');
  if (!form.topic.value) return t('form.missing.topic');
  const { name, phone } = contactOf(form);
  if (!name) return t('form.missing.name');
  if (!PHONE.test(phone)) return t('form.bad.phone');
  if (!form.consent.checked) return t('consent.needed');
  keys.consult = keys.consult || newId();
  const question = form.question.value.trim();
  return { client_key: keys.consult, slot_id: slot, topic: form.topic.value, channel: 'post', post_id: item.id,
    name, phone, question: question || null, consent: { version: slotsOf.get(item.station_code).consent.version } };
}

function showResult(kind, answer) {
  const lines = [el('strong', { class: 'state ok' }, t(`posts.${kind}.done`)),
    el('p', { class: 'code-big', 'data-code': answer.code }, answer.code)];
  if (kind === 'report') lines.push(el('p', {}, t('posts.report.follow', { url: `${location.origin}/citizen/t/${answer.code}` })));
  else lines.push(el('p', {}, t('posts.consult.when', { at: formatDateTime(answer.starts_at) })));
  $('#post-result').replaceChildren(...lines);
  $('#post-result').hidden = false;
  $('#post-result').scrollIntoView({ block: 'center' });
}

async function submit(kind, event) {
  event.preventDefault();
  const form = event.target;
  const error = $('.error', form);
  const item = post();
  if (!item) return;
  const body = kind === 'report' ? reportBody(form) : consultBody(form, item);
  if (typeof body === 'string') { error.textContent = body; return; }
  error.textContent = '';
  const button = $('button[type=submit]', form);
  button.disabled = true;
  try {
    const path = `/api/v1/posts/${encodeURIComponent(item.id)}/${kind === 'report' ? 'reports' : 'consult-requests'}`;
    const answer = await send(path, body);
    keys[kind] = null;
    form.reset();
    showResult(kind, answer);
    if (kind === 'consult') slotsOf.delete(item.station_code);
    await showPosts();
  } catch (err) {
    const why = errorText(err);
    error.textContent = why;
    if (err instanceof ApiError && err.status !== 0 && err.status < 500) keys[kind] = null; // refused: nothing was made
    if (err instanceof ApiError && (err.status === 403 || err.status === 409)) {
      // Off the roster or out of hours: the desk closes; the reason stays at the top.
      $('#posts-error').textContent = why;
      await refreshPosts().catch(() => {});
      window.scrollTo(0, 0);
    }
  } finally {
    button.disabled = false;
  }
}

export function initPosts() {
  $('#post-report-form').addEventListener('submit', (event) => submit('report', event));
  $('#post-consult-form').addEventListener('submit', (event) => submit('consult', event));
  $('#post-report-form').addEventListener('input', () => { $('#post-result').hidden = true; });
}
