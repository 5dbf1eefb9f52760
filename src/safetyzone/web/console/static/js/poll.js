// The People Poll card on the station panel: the station's waves with their answers so far,
// a new wave (commanders), open and close, the poster and QR to put up in the zone, and the
// results: each share with its 95 % interval, fear of crime against the program's target,
// and the warnings a small sample earns. The server counts; this draws.
import { downloadFile } from './files.js';
import { currentLang, formatDate, onLangChange, pick, t } from './i18n.js';
import { api } from './session.js';
import { dateWithEcho, field, input, refused } from './services-ui.js';
import { can, chosenStation, store } from './store.js';
import { el, toast } from './ui.js';

const state = { station: null, polls: [], results: new Map(), shown: null, loadedAt: 0 };
const RELOAD_MS = 60000;

const root = () => document.getElementById('poll-card');
const pct = (share) => (share === null || share === undefined ? '–' : `${Math.round(share * 100)} %`);

function interval(ci) {
  return ci ? `${Math.round(ci.low * 100)}–${Math.round(ci.high * 100)} %` : '';
}

function warnings(list) {
  return list.length ? el('ul', { class: 'plain poll-warn' }, list.map((w) => el('li', { class: 'badge warn' }, t(`poll.warn.${w}`)))) : null;
}

function results(poll) {
  const got = state.results.get(poll.code);
  if (!got) return el('p', { class: 'muted' }, t('poll.loading'));
  const fear = got.fear_of_crime;
  return el('div', { class: 'poll-results', 'data-results': poll.code },
    el('p', { class: fear !== null && fear >= got.fear_target ? 'bad' : '' },
      fear === null ? t('poll.fear_none') : t('poll.fear', { value: pct(fear), target: pct(got.fear_target) })),
    warnings(got.warnings),
    el('table', { class: 'grid poll-table' },
      el('thead', {}, el('tr', {}, ['poll.item', 'poll.share', 'poll.ci', 'poll.n'].map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, got.likert.map((item) => el('tr', { 'data-item': item.key },
        el('th', { scope: 'row' }, pick(item, 'indicator')),
        el('td', {}, pct(item.share)), el('td', { class: 'muted' }, interval(item.share_ci)),
        el('td', { class: item.warnings.length ? 'warn' : '' }, String(item.n)))))),
    got.needs_n ? el('p', {}, t('poll.needs', {
      list: [...got.needs].sort((a, b) => b.count - a.count).slice(0, 3)
        .map((n) => `${currentLang() === 'en' ? n.en : n.th} ${pct(n.share)}`).join(' · '),
    })) : null,
    el('div', {}, el('button', { type: 'button', class: 'btn small', 'data-csv': poll.code }, t('poll.csv'))));
}

function row(poll) {
  const manage = can('poll.manage');
  const open = state.shown === poll.code;
  return el('li', { class: 'poll-row', 'data-poll': poll.code },
    el('div', { class: 'poll-line' },
      el('strong', {}, `${pick(poll, 'zone_name')} · ${poll.wave_name}`),
      el('span', { class: `badge poll-${poll.status}` }, t(`poll.status.${poll.status}`)),
      el('span', { class: 'muted' }, `${formatDate(poll.opens_at)} – ${formatDate(poll.closes_at)}`),
      el('span', {}, t('poll.responses', { n: poll.responses }))),
    el('div', { class: 'poll-acts' },
      el('button', { type: 'button', class: 'btn small', 'data-results-toggle': poll.code, 'aria-expanded': String(open) }, t('poll.results')),
      el('button', { type: 'button', class: 'btn small', 'data-poster': poll.code }, t('poll.poster')),
      el('button', { type: 'button', class: 'btn small', 'data-qr': poll.code }, 'QR'),
      manage && poll.status === 'draft' ? el('button', { type: 'button', class: 'btn small primary', 'data-open': poll.code }, t('poll.open')) : null,
      manage && poll.status === 'open' ? el('button', { type: 'button', class: 'btn small', 'data-close': poll.code }, t('poll.close')) : null),
    open ? results(poll) : null);
}

function createForm() {
  const station = chosenStation();
  const zones = store.zones.filter((z) => z.station_id === station?.id);
  if (!can('poll.manage') || !zones.length) return null;
  const wave = Math.max(0, ...state.polls.map((p) => p.wave)) + 1;
  const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  const opens = dateWithEcho({ name: 'opens', required: true, value: today });
  const closes = dateWithEcho({ name: 'closes', required: true });
  const launch = dateWithEcho({ name: 'launch' });
  return el('details', { class: 'poll-new' }, el('summary', {}, t('poll.new')),
    el('form', { class: 'poll-form', 'data-form': 'poll' },
      field('poll.zone', el('select', { name: 'zone', required: true }, zones.map((z) => el('option', { value: z.code }, pick(z, 'name'))))),
      field('poll.wave', input({ name: 'wave', type: 'number', min: 1, max: 99, required: true, value: wave })),
      field('poll.wave_name', input({ name: 'name', required: true, maxlength: 200, value: t('poll.wave_default', { n: wave }) })),
      field('poll.opens', opens.picker, opens.echo),
      field('poll.closes', closes.picker, closes.echo),
      field('poll.launch', launch.picker, launch.echo),
      el('button', { type: 'submit', class: 'btn primary' }, t('poll.create'))));
}

function render() {
  const card = root();
  const list = el('ul', { class: 'plain poll-list' }, state.polls.map(row));
  const live = card.querySelector('.poll-live');
  if (live) { live.replaceChildren(state.polls.length ? list : el('p', { class: 'muted' }, t('poll.none'))); return; }
  card.replaceChildren(el('h3', {}, t('poll.title')),
    el('div', { class: 'poll-live' }, state.polls.length ? list : el('p', { class: 'muted' }, t('poll.none'))),
    createForm() || '');
}

async function loadResults(code) {
  try {
    const got = await api(`/api/v1/polls/${encodeURIComponent(code)}/results`);
    state.results.set(code, got);
    const poll = state.polls.find((p) => p.code === code);
    if (poll) poll.responses = got.responses; // the line's count as fresh as its results
  } catch (err) { refused(err); state.shown = null; }
  render();
}

// Called on each panel refresh: the list is fetched again at most once a minute, and only
// the list is redrawn, so a wave being typed keeps its words.
export async function loadPolls(station) {
  const card = root();
  const changed = station !== state.station;
  card.hidden = !station || !can('ops.read');
  if (card.hidden) { state.station = station; return; }
  if (!changed && Date.now() - state.loadedAt < RELOAD_MS) return;
  if (changed) { card.replaceChildren(); state.shown = null; state.results.clear(); }
  state.station = station;
  state.polls = await api(`/api/v1/stations/${encodeURIComponent(station)}/polls`);
  state.loadedAt = Date.now();
  render();
}

async function reload() {
  state.loadedAt = 0;
  await loadPolls(state.station);
}

function bangkokStart(day) { return `${day}T00:00:00+07:00`; }

export function bindPolls() {
  const card = root();
  card.addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const button = form.querySelector('button[type=submit]');
    const f = form.elements;
    if (f.closes.value <= f.opens.value) { toast(t('poll.closes_after'), 'warn'); return; }
    button.disabled = true;
    try {
      await api(`/api/v1/stations/${encodeURIComponent(state.station)}/polls`, { method: 'POST', json: {
        zone_code: f.zone.value, wave: Number(f.wave.value), wave_name: f.name.value.trim(),
        opens_at: bangkokStart(f.opens.value), closes_at: bangkokStart(f.closes.value),
        zone_launch_on: f.launch.value || null,
      } });
      toast(t('poll.created'), 'ok');
      card.replaceChildren();
      await reload();
    } catch (err) { refused(err); } finally { button.disabled = false; }
  });
  card.addEventListener('click', async (event) => {
    const target = event.target.closest('button');
    if (!target) return;
    const { resultsToggle, poster, qr, open, close, csv } = target.dataset;
    try {
      if (resultsToggle) {
        state.shown = state.shown === resultsToggle ? null : resultsToggle;
        render();
        if (state.shown) await loadResults(resultsToggle);
      } else if (poster) {
        await downloadFile(`/api/v1/polls/${encodeURIComponent(poster)}/poster.pdf`, `poll-${poster}.pdf`);
      } else if (qr) {
        await downloadFile(`/api/v1/polls/${encodeURIComponent(qr)}/qr.png`, `poll-${qr}.png`);
      } else if (csv) {
        await downloadFile(`/api/v1/polls/${encodeURIComponent(csv)}/results.csv`, `poll-${csv}.csv`);
      } else if (open || close) {
        target.disabled = true;
        await api(`/api/v1/polls/${encodeURIComponent(open || close)}/${open ? 'open' : 'close'}`, { method: 'POST' });
        toast(t(open ? 'poll.opened' : 'poll.closed'), 'ok');
        await reload();
      }
    } catch (err) { refused(err); target.disabled = false; }
  });
  onLangChange(() => { if (state.station && !root().hidden) { root().replaceChildren(); render(); } });
}
