// Evidence clips on the incident panel: make a clip (window before and after the moment,
// which cameras), the incident's clips with their SHA-256, each clip's chain of custody,
// play, download and the signed export package. Every play, download and export is a row in
// the clip's chain of custody on the server; nothing here decides who may (the server does).
import { currentLang, formatDateTime, t } from './i18n.js';
import { api, ApiError } from './session.js';
import { can } from './store.js';
import { el, toast } from './ui.js';

// One incident at a time: its clips, which custody logs are open, the clip playing.
const state = { id: null, clips: [], custody: new Map(), open: new Set(), loading: false, playing: null,
  form: { before: 30, after: 60, off: new Set() } };
let current = null; // the incident the panel shows

function shortHash(hash) { return `${hash.slice(0, 12)}…${hash.slice(-6)}`; }

async function load(id) {
  state.loading = true;
  try {
    const clips = await api(`/api/v1/incidents/${id}/clips`);
    if (state.id !== id) return;
    state.clips = clips;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    state.clips = [];
  } finally {
    state.loading = false;
  }
  redraw();
}

async function loadCustody(clipId) {
  const detail = await api(`/api/v1/clips/${clipId}`);
  state.custody.set(clipId, detail.custody);
  redraw();
}

// What the person typed and unchecked survives a redraw of the section or the panel.
function keepForm() {
  const section = document.getElementById('inc-evidence');
  if (!section) return;
  state.form.before = Number(section.querySelector('#ev-before').value);
  state.form.after = Number(section.querySelector('#ev-after').value);
  state.form.off = new Set([...section.querySelectorAll('input[name="ev-camera"]:not(:checked)')].map((c) => c.value));
}

function redraw() {
  keepForm();
  const old = document.getElementById('inc-evidence');
  if (old && current) old.replaceWith(evidenceSection(current));
}

async function blobOf(path, options = {}) {
  const response = await api(path, { raw: true, ...options });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
  return response.blob();
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function failed(err) {
  const detail = err?.problem?.detail || err?.message || '';
  toast(`${t('evidence.failed')}: ${detail}`, 'error');
}

async function makeClip(section, d) {
  const before = Number(section.querySelector('#ev-before').value);
  const after = Number(section.querySelector('#ev-after').value);
  const chosen = [...section.querySelectorAll('input[name="ev-camera"]:checked')].map((c) => c.value);
  if (!chosen.length) { toast(t('evidence.choose_camera'), 'warn'); return; }
  try {
    const made = await api(`/api/v1/incidents/${d.id}/clips`, {
      method: 'POST', json: { before_s: before, after_s: after, docked: false, camera_ids: chosen } });
    toast(t('evidence.made', { n: made.clips.length }), 'ok');
    state.note = made.skipped.length
      ? t('evidence.skipped', { codes: made.skipped.map((s) => s.code).join(', ') }) : '';
  } catch (err) {
    // Said in the section, beside the button: a toast at the screen's edge is easily missed.
    if (err instanceof ApiError && err.status === 409) state.note = t('evidence.no_footage');
    else failed(err);
  }
  await load(d.id);
}

async function act(button, d) {
  const clipId = button.dataset.clip;
  const clip = state.clips.find((c) => c.id === clipId);
  try {
    if (button.dataset.ev === 'view') {
      const url = URL.createObjectURL(await blobOf(`/api/v1/clips/${clipId}/view`));
      if (state.playing) URL.revokeObjectURL(state.playing.url);
      state.playing = { id: clipId, url, node: null };
      await loadCustody(clipId);
    } else if (button.dataset.ev === 'download') {
      save(await blobOf(`/api/v1/clips/${clipId}/download`), `${clip.incident_number}-${clip.camera_code}.mp4`);
      if (state.open.has(clipId)) await loadCustody(clipId);
    } else if (button.dataset.ev === 'custody') {
      if (state.open.has(clipId)) state.open.delete(clipId);
      else { state.open.add(clipId); await loadCustody(clipId); }
      redraw();
    } else if (button.dataset.ev === 'export') {
      save(await blobOf(`/api/v1/incidents/${d.id}/evidence-export`, { method: 'POST', json: {} }),
        `${state.clips[0]?.incident_number || 'evidence'}-evidence.zip`);
      toast(t('evidence.exported'), 'ok');
      for (const id of state.open) await loadCustody(id);
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) toast(t('evidence.tampered'), 'error');
    else failed(err);
  }
}

function custodyList(clipId) {
  const rows = state.custody.get(clipId) || [];
  return el('ol', { class: 'custody', 'data-custody': clipId }, rows.map((c) => el('li', {},
    el('time', {}, formatDateTime(c.at, { seconds: true })),
    el('span', { class: 'badge' }, t(`evidence.action.${c.action}`)),
    el('span', { class: 'who' }, c.username),
    el('span', { class: 'muted' }, c.address || '–'),
    el('code', { title: c.sha256 }, shortHash(c.sha256)),
    el('span', { class: `badge ${c.intact ? 'ok' : 'warn'}` }, t(c.intact ? 'evidence.intact' : 'evidence.not_intact')))));
}

function clipRow(clip) {
  return el('li', { class: 'clip', 'data-clip-row': clip.id },
    el('div', { class: 'clip-head' },
      el('b', {}, clip.camera_code), ' ',
      el('span', {}, `${formatDateTime(clip.starts_at, { seconds: true })} – ${formatDateTime(clip.ends_at, { seconds: true })}`),
      ' ', el('span', { class: 'muted' }, t('evidence.by', { who: clip.made_by }))),
    el('div', { class: 'clip-hash' }, el('span', { class: 'muted' }, 'SHA-256 '), el('code', { class: 'hash' }, clip.sha256)),
    el('div', { class: 'clip-actions' },
      el('button', { type: 'button', class: 'btn small', 'data-ev': 'view', 'data-clip': clip.id }, t('evidence.view')),
      el('button', { type: 'button', class: 'btn small', 'data-ev': 'download', 'data-clip': clip.id }, t('evidence.download')),
      el('button', { type: 'button', class: 'btn small', 'data-ev': 'custody', 'data-clip': clip.id,
        'aria-expanded': String(state.open.has(clip.id)) }, t('evidence.custody'))),
    state.playing?.id === clip.id ? player(state.playing) : null,
    state.open.has(clip.id) ? custodyList(clip.id) : null);
}

// The same element across redraws, so a clip playing keeps playing when the custody log
// under it grows.
function player(playing) {
  if (!playing.node) {
    playing.node = el('video', { controls: true, class: 'clip-player', 'aria-label': t('evidence.player') });
    playing.node.src = playing.url;
  }
  return playing.node;
}

function form(d) {
  const cameras = (d.cameras || []).map((c) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', name: 'ev-camera', value: c.camera_id, checked: !state.form.off.has(c.camera_id) }), ` ${c.code}`));
  return el('div', { class: 'ev-form' },
    el('label', { for: 'ev-before' }, t('evidence.before')),
    el('input', { type: 'number', id: 'ev-before', min: 0, max: 1800, value: state.form.before }),
    el('label', { for: 'ev-after' }, t('evidence.after')),
    el('input', { type: 'number', id: 'ev-after', min: 1, max: 1800, value: state.form.after }),
    el('div', { class: 'ev-cameras' }, cameras.length ? cameras : el('span', { class: 'muted' }, t('evidence.no_docked'))),
    el('button', { type: 'button', class: 'btn primary', 'data-ev': 'make', disabled: !cameras.length }, t('evidence.make')));
}

export function evidenceSection(d) {
  if (!can('evidence.handle')) return null;
  if (state.id === d.id) keepForm(); // the panel redraws on every update of the incident
  current = d;
  if (state.id !== d.id) {
    Object.assign(state, { id: d.id, clips: [], custody: new Map(), open: new Set(), playing: null,
      form: { before: 30, after: 60, off: new Set() }, expanded: false, note: '' });
    load(d.id);
  }
  // Folded until asked for: the panel must fit a laptop's screen with the actions and units
  // in view; the summary says how many clips there are.
  const section = el('details', { class: 'inc-section no-print', id: 'inc-evidence', lang: currentLang(),
    open: state.expanded },
    el('summary', {}, el('h3', { text: state.clips.length
      ? t('evidence.title_n', { n: state.clips.length }) : t('evidence.title') })),
    form(d),
    state.note ? el('p', { class: 'ev-note', role: 'status' }, state.note) : null,
    state.clips.length
      ? el('ul', { class: 'clips plain' }, state.clips.map(clipRow))
      : el('p', { class: 'muted' }, t(state.loading ? 'evidence.loading' : 'evidence.none')),
    state.clips.length ? el('button', { type: 'button', class: 'btn', 'data-ev': 'export' }, t('evidence.export')) : null);
  section.addEventListener('toggle', () => { state.expanded = section.open; });
  section.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-ev]');
    if (!button) return;
    event.stopPropagation(); // the panel's own buttons are data-act, these are ours
    button.disabled = true;
    try {
      if (button.dataset.ev === 'make') await makeClip(section, d);
      else await act(button, d);
    } finally {
      button.disabled = false;
    }
  });
  return section;
}
