// Announcements to the zone, in the station panel: a group of loudspeakers and LED signs,
// a prerecorded message or a text, and what each device answered; commanders also make
// groups and see (and stop) the schedules.
import { formatDateTime, pick, t } from './i18n.js';
import { api, ApiError } from './session.js';
import { can, store } from './store.js';
import { el, toast } from './ui.js';

let messages = null;
const state = { groups: [], recent: [], schedules: [], station: null };
const root = () => document.getElementById('announce-card');

function deviceOptions() {
  const station = store.stations.find((s) => s.code === state.station);
  return [...store.assets.values()].filter((a) => a.station_id === station?.id
    && (a.kind === 'loudspeaker' || a.kind === 'led_sign' || a.has_speaker))
    .sort((a, b) => a.code.localeCompare(b.code));
}

function progress(p) {
  return el('span', { class: 'ann-progress' },
    el('span', { class: 'badge ok' }, t('announce.acknowledged', { n: p.acknowledged })),
    p.failed ? el('span', { class: 'badge bad' }, t('announce.failed', { n: p.failed })) : null,
    p.waiting ? el('span', { class: 'badge' }, t('announce.waiting', { n: p.waiting })) : null,
    p.unlinked ? el('span', { class: 'badge warn' }, t('announce.unlinked', { n: p.unlinked })) : null);
}

function sayForm() {
  if (!can('command.send') || !state.groups.length) return null;
  const content = el('select', { name: 'message', 'aria-label': t('announce.message') },
    el('option', { value: '' }, t('announce.own_text')),
    ...(messages || []).map((m) => el('option', { value: m.id }, pick(m, 'text'))));
  const text = el('textarea', { name: 'text', rows: 2, maxlength: 500, placeholder: t('announce.text'), 'aria-label': t('announce.text') });
  return el('form', { class: 'ann-say', 'data-form': 'say' },
    el('select', { name: 'group', required: true, 'aria-label': t('announce.group') },
      ...state.groups.map((g) => el('option', { value: g.id }, `${g.name} (${g.members.length})`))),
    content, text,
    el('button', { type: 'submit', class: 'btn primary' }, t('announce.send')));
}

function groupForm() {
  if (!can('zone.write')) return null;
  const devices = deviceOptions();
  return el('details', { class: 'ann-new-group' }, el('summary', {}, t('announce.new_group')),
    el('form', { 'data-form': 'group' },
      el('input', { name: 'name', maxlength: 100, required: true, placeholder: t('announce.group_name'), 'aria-label': t('announce.group_name') }),
      el('fieldset', { class: 'ann-devices' }, el('legend', {}, t('announce.devices', { n: devices.length })),
        ...devices.map((a) => el('label', { class: 'check' },
          el('input', { type: 'checkbox', name: 'device', value: a.code }), ' ', `${a.code} · ${pick(a, 'name')}`))),
      el('button', { type: 'submit', class: 'btn' }, t('announce.make_group'))));
}

function schedules() {
  if (!state.schedules.length) return null;
  return el('div', { class: 'ann-schedules' }, el('h4', {}, t('announce.schedules')),
    el('ul', { class: 'plain' }, state.schedules.map((s) => el('li', { 'data-schedule': s.id },
      el('span', {}, s.text || pick(messages?.find((m) => m.id === s.message_id) || {}, 'text') || s.message_id), ' · ',
      t('announce.every', { n: s.every_min }), ' · ',
      s.active ? t('announce.next', { at: formatDateTime(s.next_at) }) : el('span', { class: 'muted' }, t('announce.ended')),
      s.active && can('zone.write') ? el('button', { type: 'button', class: 'btn small', 'data-stop': s.id }, t('announce.stop')) : null))));
}

function recent() {
  return el('ol', { class: 'plain ann-recent' }, state.recent.map((a) => el('li', { 'data-announcement': a.id },
    el('time', {}, formatDateTime(a.requested_at, { seconds: true })), ' ',
    el('b', {}, a.group_name), ' · ', el('q', {}, a.text || pick(messages?.find((m) => m.id === a.message_id) || {}, 'text') || a.message_id),
    ' · ', el('span', { class: 'who' }, a.requested_by), ' ', progress(a.progress),
    a.failures.length ? el('div', { class: 'muted' }, a.failures.map((f) => `${f.code}: ${f.detail || '–'}`).join(' · ')) : null)));
}

let formsKey = null; // the forms are drawn again only when the groups or devices change

function render() {
  const card = root();
  if (!card) return;
  const key = JSON.stringify([state.station, state.groups.map((g) => [g.id, g.members.length]), deviceOptions().length]);
  if (key !== formsKey || !card.querySelector('.ann-live')) {
    formsKey = key;
    card.replaceChildren(...[el('h3', { text: t('announce.title') }),
      state.groups.length ? null : el('p', { class: 'muted' }, t('announce.no_groups')),
      sayForm(), el('div', { class: 'ann-live' }), groupForm()].filter(Boolean));
  }
  // What changes by itself (devices answering, schedules running) is redrawn alone, so a
  // text being typed keeps its focus.
  card.querySelector('.ann-live').replaceChildren(state.recent.length ? recent() : '', schedules() || '');
}

export async function loadAnnouncements(station) {
  state.station = station;
  root().hidden = !station;
  if (!station) return;
  const code = encodeURIComponent(station);
  if (!messages) messages = await api('/api/v1/speaker-messages');
  [state.groups, state.recent, state.schedules] = await Promise.all([
    api(`/api/v1/announce-groups?station_code=${code}`), api(`/api/v1/announcements?station_code=${code}`),
    api(`/api/v1/announce-schedules?station_code=${code}`)]);
  render();
}

function failed(err) {
  toast(`${t('error.action')}: ${err instanceof ApiError ? err.message : String(err)}`, 'error');
}

export function bindAnnouncements() {
  const card = root();
  card.addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      if (form.dataset.form === 'say') {
        const message = form.elements.message.value;
        const text = form.elements.text.value.trim();
        if (!message && !text) { toast(t('announce.need_content'), 'warn'); return; }
        await api('/api/v1/announcements', { method: 'POST', json: {
          group_id: form.elements.group.value, ...(message ? { message_id: message } : { text }) } });
        form.elements.text.value = '';
        toast(t('announce.sent'), 'ok');
      } else {
        const codes = [...form.querySelectorAll('input[name=device]:checked')].map((i) => i.value);
        await api('/api/v1/announce-groups', { method: 'POST', json: {
          station_code: state.station, name: form.elements.name.value.trim(), asset_codes: codes } });
        toast(t('announce.group_made'), 'ok');
      }
      await loadAnnouncements(state.station);
    } catch (err) { failed(err); } finally { button.disabled = false; }
  });
  card.addEventListener('click', async (event) => {
    const id = event.target.closest('button[data-stop]')?.dataset.stop;
    if (!id) return;
    try {
      await api(`/api/v1/announce-schedules/${id}/stop`, { method: 'POST' });
      await loadAnnouncements(state.station);
    } catch (err) { failed(err); }
  });
}

// A new language: the forms' words too.
export function rerenderAnnouncements() {
  formsKey = null;
  if (state.station) render();
}
