// Volunteer service posts (จุดบริการตำรวจจิตอาสา) of the chosen station: each post's weekly
// hours, whether it is open now, its roster, and what volunteers took there lately (codes,
// when, by whom). Those who manage posts (post.manage: commanders, admins) create a post,
// replace its hours and add or remove people on the roster; everyone else reads.
import { currentLang, formatDateTime, pick, t } from './i18n.js';
import { api } from './session.js';
import { can, store } from './store.js';
import { el, toast } from './ui.js';
import { button, card, confirmAction, field, input, refused } from './services-ui.js';

const PATH = '/api/v1/posts';
const state = { posts: [], editing: null, typed: {} }; // typed: post id -> the roster name being typed
let rerender = () => {};

export const postsProbe = state; // for the browser tests

export function allowed() { return can('ops.read'); }
const manages = () => can('post.manage');

export async function loadPosts(onChange) {
  rerender = onChange;
  if (!allowed() || !store.station) return;
  state.posts = await api(`${PATH}?station_code=${encodeURIComponent(store.station)}`);
}

async function reload() {
  await loadPosts(rerender).catch(refused);
  rerender();
}

// The list is drawn again before the user is told, so that what they see when the toast
// appears is what they act on next (a redraw after it replaced the field they had begun to type in).
async function change(post, path, options, doneKey) {
  let failure = null;
  try {
    await api(`${PATH}/${encodeURIComponent(post.id)}${path}`, options);
  } catch (err) {
    failure = err;
  }
  await reload();
  if (failure) refused(failure);
  else toast(t(doneKey, { name: pick(post, 'name') }), 'ok');
  return !failure;
}

// -- hours -----------------------------------------------------------------------------

function windowRow(w = { weekday: 0, opens: '09:00', closes: '17:00' }) {
  const day = el('select', { 'data-weekday': '', 'aria-label': t('post.weekday') },
    [0, 1, 2, 3, 4, 5, 6].map((d) => el('option', { value: d }, t(`post.day.${d}`))));
  day.value = String(w.weekday);
  // HH:MM typed (24:00 closes at midnight), not a time picker: a picker cannot say 24:00
  // and shows AM/PM in some locales. The server refuses a wrong one with its reason.
  const opens = input({ value: w.opens, maxlength: 5, placeholder: 'HH:MM', 'data-opens': '', 'aria-label': t('post.opens') });
  const closes = input({ value: w.closes, maxlength: 5, placeholder: 'HH:MM', 'data-closes': '', 'aria-label': t('post.closes') });
  const row = el('li', { class: 'row post-window' }, day, opens, '–', closes);
  row.append(button('post.remove_window', () => row.remove(), '', { 'aria-label': t('post.remove_window') }));
  return row;
}

function hoursEditor(post) {
  const list = el('ul', { class: 'plain post-windows' }, (post.hours.length ? post.hours : []).map(windowRow));
  const save = button('svc.save', async () => {
    const hours = [...list.querySelectorAll('.post-window')].map((row) => ({
      weekday: Number(row.querySelector('[data-weekday]').value), opens: row.querySelector('[data-opens]').value.trim(),
      closes: row.querySelector('[data-closes]').value.trim() }));
    if (await change(post, '/hours', { method: 'PUT', json: { hours } }, 'post.hours_saved')) {
      state.editing = null;
      rerender();
    }
  }, 'primary', { 'data-save-hours': post.id });
  return el('div', { class: 'post-hours-editor' }, el('p', { class: 'muted' }, t('post.hours_hint')), list,
    el('div', { class: 'row' }, button('post.add_window', () => list.append(windowRow()), '', { 'data-add-window': '' }),
      button('svc.cancel', () => { state.editing = null; rerender(); }), save));
}

// -- a post ----------------------------------------------------------------------------

function rosterList(post) {
  return el('ul', { class: 'plain svc-list post-roster' }, post.roster.map((r) => el('li', { class: 'row', 'data-username': r.username },
    el('b', {}, r.display_name), el('span', { class: 'muted' }, r.username),
    manages() ? button('post.remove_person', async () => {
      const ok = await confirmAction({ title: t('post.remove_title', { name: r.display_name }),
        text: t('post.remove_text', { post: pick(post, 'name') }), confirmKey: 'post.remove_person' });
      if (ok) await change(post, `/roster/${encodeURIComponent(r.user_id)}`, { method: 'DELETE' }, 'post.removed');
    }, '', { 'data-remove': r.username }) : null)));
}

function takenList(post) {
  if (!post.taken.length) return el('p', { class: 'muted' }, t('post.nothing_taken'));
  return el('table', { class: 'grid svc-table post-taken' },
    el('thead', {}, el('tr', {}, ...['what', 'code', 'at', 'by'].map((k) => el('th', {}, t(`post.col.${k}`))))),
    el('tbody', {}, post.taken.map((x) => el('tr', { 'data-code': x.code },
      el('th', {}, t(`post.taken.${x.kind}`)), el('td', { class: 'code' }, x.code),
      el('td', {}, formatDateTime(x.at)), el('td', {}, x.username)))));
}

function postCard(post) {
  // What was typed survives a redraw: a refused name stays there to be corrected.
  const who = input({ maxlength: 64, autocomplete: 'off', 'data-roster-user': post.id, value: state.typed[post.id] || '' });
  who.addEventListener('input', () => { state.typed[post.id] = who.value; });
  const add = button('post.add_person', async () => {
    const username = who.value.trim();
    state.typed[post.id] = who.value;
    if (await change(post, '/roster', { method: 'POST', json: { username } }, 'post.added')) {
      delete state.typed[post.id];
      rerender();
    }
  }, 'primary', { 'data-add-person': post.id });
  const hours = currentLang() === 'en' ? post.hours_en : post.hours_th;
  return el('section', { class: 'card post', 'data-post': post.id, 'data-kind': post.kind },
    el('h3', {}, pick(post, 'name')),
    el('div', { class: 'row' }, el('span', { class: 'badge' }, t(`post.kind.${post.kind}`)),
      el('span', { class: `badge post-open ${post.open_now ? 'yes' : 'no'}` }, t(post.open_now ? 'post.open_now' : 'post.closed_now'))),
    el('p', { class: 'post-hours' }, el('b', {}, t('post.hours')), ' ', hours || t('post.no_hours')),
    state.editing === post.id ? hoursEditor(post)
      : manages() ? button('post.edit_hours', () => { state.editing = post.id; rerender(); }, '', { 'data-edit-hours': post.id }) : null,
    el('h4', {}, t('post.roster')),
    post.roster.length ? rosterList(post) : el('p', { class: 'muted' }, t('post.nobody')),
    manages() ? el('div', { class: 'svc-form inline' }, field('post.username', who), add) : null,
    el('h4', {}, t('post.taken_title')), takenList(post));
}

// -- a new post ------------------------------------------------------------------------

// Where a new post starts: the middle of the station's zone (the officer corrects it).
function stationCentre() {
  const station = store.stations.find((s) => s.code === store.station);
  const zone = store.zones.find((z) => z.station_id === station?.id);
  const ring = zone?.boundary?.type === 'Polygon' ? zone.boundary.coordinates[0]
    : zone?.boundary?.type === 'MultiPolygon' ? zone.boundary.coordinates[0][0] : null;
  if (!ring?.length) return { lat: '', lon: '' };
  const mean = (i) => (ring.reduce((sum, p) => sum + p[i], 0) / ring.length).toFixed(5);
  return { lat: mean(1), lon: mean(0) };
}

function newPostCard() {
  const centre = stationCentre();
  const nameTh = input({ maxlength: 200, id: 'post-name-th' });
  const nameEn = input({ maxlength: 200, id: 'post-name-en' });
  const lat = input({ type: 'number', step: 'any', id: 'post-lat', value: centre.lat });
  const lon = input({ type: 'number', step: 'any', id: 'post-lon', value: centre.lon });
  const create = button('post.create', async () => {
    try {
      const made = await api(PATH, { method: 'POST', json: { station_code: store.station, name_th: nameTh.value.trim(),
        name_en: nameEn.value.trim() || nameTh.value.trim(), lat: Number(lat.value), lon: Number(lon.value), hours: [] } });
      toast(t('post.created', { name: pick(made, 'name') }), 'ok');
      nameTh.value = '';
      nameEn.value = '';
      state.editing = made.id; // a new post has no hours yet: set them next
    } catch (err) { refused(err); return; }
    await reload();
  }, 'primary', { 'data-create-post': '' });
  return card('post.new', 'post-new', el('div', { class: 'svc-form' },
    field('post.name_th', nameTh), field('post.name_en', nameEn), field('post.lat', lat), field('post.lon', lon), create));
}

export function renderPosts() {
  const volunteer = state.posts.filter((p) => p.kind === 'volunteer_post');
  const others = state.posts.filter((p) => p.kind !== 'volunteer_post');
  return el('div', { class: 'svc-posts' },
    el('div', { class: 'cards' }, volunteer.map(postCard), manages() ? newPostCard() : null,
      !volunteer.length && !manages() ? el('p', { class: 'muted' }, t('post.none')) : null),
    others.length ? el('details', { class: 'post-others' }, el('summary', {}, t('post.others', { n: others.length })),
      el('div', { class: 'cards' }, others.map(postCard))) : null);
}
