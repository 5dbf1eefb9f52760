// The program view for region and HQ desks (key 8): the rollout phase by phase, the regions
// summed, and every station side by side on a map and in a table sorted by any column.
// One read (/api/v1/program) holds it all; the server counts, this draws.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';
import { addBasemap } from './basemap.js';
import { formatDate, onLangChange, pick, t } from './i18n.js';
import { reportsCard } from './reports.js';
import { api, ApiError } from './session.js';
import { can, seesSeveralStations, store } from './store.js';
import { el, toast } from './ui.js';

const PERIODS = [30, 90, 365];
const STEPS = ['started', 'zone_defined', 'cameras_joined', 'staffed', 'complete'];
// Columns of the stations table: key, how to read the value for sorting, and the cell.
const COLUMNS = [
  ['station', (r) => r.station_code],
  ['region', (r) => r.region_code || ''],
  ['phase', (r) => r.phase ?? 99],
  ['started_on', (r) => r.rollout.started_on || '9999'],
  ['steps', (r) => steps(r)],
  ['cameras', (r) => r.rollout.cameras],
  ['online', (r) => online(r) ?? -1],
  ['operators', (r) => r.rollout.operators],
  ['incidents', (r) => r.incidents],
  ['per_1000', (r) => r.incidents_per_1000.value ?? -1],
  ['open_now', (r) => r.open_now],
];
const COLOURS = ['#b42318', '#dc6803', '#b54708', '#4d7c0f', '#2b8a3e']; // 0..4 steps done, as .steps-N

let data = null;
let scores = null;
let scoreSort = 'overall';
let visible = false;
let days = 30;
let sort = { key: 'steps', dir: 'asc' };
let map = null;
let dots = null;
let loading = 0;
let reportScope = null; // the monthly report chosen: 'national' or a region's code
let nationalUnit = null; // HQ's org unit code, which the archive lists the country's by

const $ = (id) => document.getElementById(id);

function steps(row) {
  const r = row.rollout;
  return [r.started, r.zones > 0, r.cameras > 0, r.staffed].filter(Boolean).length;
}

function online(row) {
  return row.rollout.cameras ? Math.round((100 * row.rollout.cameras_online) / row.rollout.cameras) : null;
}

function number(value, digits = 0) {
  if (value === null || value === undefined) return '–';
  return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function bar(done, of) {
  return el('span', { class: 'progress' }, el('span', { class: 'progress-text' }, t('program.of', { done, of })),
    el('progress', { max: Math.max(1, of), value: done, 'aria-hidden': 'true' }));
}

function phasesCard() {
  return el('section', { class: 'card program-phases' }, el('h3', {}, t('program.rollout')),
    el('div', { class: 'program-scroll-x' }, el('table', { class: 'grid' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('program.phase')),
        el('th', { scope: 'col' }, t('program.target')), el('th', { scope: 'col' }, t('program.stations')),
        STEPS.map((s) => el('th', { scope: 'col' }, t(`program.step.${s}`))))),
      el('tbody', {}, data.phases.map((p) => el('tr', { 'data-phase': p.phase ?? 'none' },
        el('th', { scope: 'row' }, pick(p, 'name')),
        el('td', {}, p.target === null ? '–' : number(p.target)),
        el('td', {}, number(p.stations)),
        STEPS.map((s) => el('td', {}, bar(p[s], p.stations)))))))),
    el('p', { class: 'muted small' }, t('program.steps_hint')));
}

function regionsCard() {
  if (!data.regions.length) return null;
  return el('section', { class: 'card program-regions' }, el('h3', {}, t('program.regions')),
    el('div', { class: 'program-scroll-x' }, el('table', { class: 'grid' },
      el('thead', {}, el('tr', {}, ['region', 'stations', 'started', 'complete', 'incidents', 'per_1000', 'open_now', 'online']
        .map((k) => el('th', { scope: 'col' }, t(`program.col.${k}`))))),
      el('tbody', {}, data.regions.map((r) => el('tr', {},
        el('th', { scope: 'row' }, `${r.region_code} · ${pick(r, 'name')}`),
        el('td', {}, number(r.stations)), el('td', {}, number(r.started)), el('td', {}, number(r.complete)),
        el('td', {}, number(r.incidents)),
        el('td', { title: t('program.known_population', { n: r.stations_with_population, of: r.stations }) },
          r.incidents_per_1000 === null ? '–' : number(r.incidents_per_1000, 2)),
        el('td', {}, number(r.open_now)),
        el('td', {}, r.cameras ? `${number((100 * r.cameras_online) / r.cameras)} %` : '–')))))));
}

function sortedStations() {
  const read = COLUMNS.find(([key]) => key === sort.key)[1];
  const dir = sort.dir === 'asc' ? 1 : -1;
  return [...data.stations].sort((a, b) => {
    const x = read(a); const y = read(b);
    const order = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return order * dir || a.station_code.localeCompare(b.station_code);
  });
}

function rateCell(row) {
  const rate = row.incidents_per_1000;
  if (rate.value === null) return el('td', { class: 'muted', title: t('program.unknown_population') }, t('program.unknown'));
  const about = rate.status === 'approximate';
  return el('td', { title: about ? t('program.about_population') : '' }, `${about ? '≈ ' : ''}${number(rate.value, 2)}`);
}

function stationsTable() {
  const head = COLUMNS.map(([key]) => {
    const sorted = sort.key === key;
    return el('th', { scope: 'col', 'aria-sort': sorted ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none' },
      el('button', { type: 'button', class: 'btn link sort', 'data-sort': key }, t(`program.col.${key}`),
        sorted ? el('span', { 'aria-hidden': 'true' }, sort.dir === 'asc' ? ' ▲' : ' ▼') : null));
  });
  return el('div', { class: 'program-scroll' }, el('table', { class: 'grid program-table', id: 'program-table' },
    el('caption', { class: 'muted' }, t('program.table_caption', { n: data.stations.length })),
    el('thead', {}, el('tr', {}, head)),
    el('tbody', {}, sortedStations().map((r) => {
      const done = steps(r);
      const pct = online(r);
      return el('tr', { 'data-station': r.station_code },
        el('th', { scope: 'row' }, `${r.station_code} · ${pick(r, 'name')}`),
        el('td', {}, r.region_code || '–'),
        el('td', {}, r.phase ?? '–'),
        el('td', {}, r.rollout.started_on ? formatDate(`${r.rollout.started_on}T12:00:00+07:00`) : t('program.not_started')),
        el('td', {}, el('span', { class: `steps steps-${done}`, title: stepsTitle(r) }, t('program.steps_of', { n: done }))),
        el('td', {}, number(r.rollout.cameras)),
        el('td', { class: pct !== null && pct < 80 ? 'bad' : '' }, pct === null ? '–' : `${pct} %`),
        el('td', { class: r.rollout.operators ? '' : 'warn' }, number(r.rollout.operators)),
        el('td', {}, number(r.incidents)),
        rateCell(r),
        el('td', { class: r.open_now ? 'open-count' : 'muted' }, number(r.open_now)));
    }))));
}

function stepsTitle(row) {
  const r = row.rollout;
  return [['started', r.started], ['zone_defined', r.zones > 0], ['cameras_joined', r.cameras > 0], ['staffed', r.staffed]]
    .map(([key, ok]) => `${ok ? '✓' : '✗'} ${t(`program.step.${key}`)}`).join('\n');
}

function drawMap() {
  const box = $('program-map');
  if (!map) {
    map = L.map(box, { attributionControl: false, zoomControl: true });
    const file = document.body.dataset.basemapUrl || '';
    const tiles = document.body.dataset.tileUrl || '';
    if (file) addBasemap(map, file).catch((err) => console.error('street map file:', err));
    else if (tiles) L.tileLayer(tiles, { maxZoom: 18 }).addTo(map);
    else box.classList.add('plain');
    dots = L.layerGroup().addTo(map);
  }
  dots.clearLayers();
  const placed = data.stations.filter((r) => r.lat !== null && r.lon !== null);
  for (const r of placed) {
    const done = steps(r);
    L.circleMarker([r.lat, r.lon], {
      radius: 6 + Math.min(10, Math.sqrt(r.incidents)), color: '#1f2937', weight: 1,
      fillColor: COLOURS[done], fillOpacity: 0.85, className: `program-dot steps-${done}`,
    }).bindTooltip(el('span', {}, `${r.station_code} · ${pick(r, 'name')}`, el('br'),
      t('program.steps_of', { n: done }), ' · ', t('program.incidents_n', { n: r.incidents })))
      .addTo(dots);
  }
  setTimeout(() => {
    map.invalidateSize();
    if (placed.length) map.fitBounds(L.latLngBounds(placed.map((r) => [r.lat, r.lon])).pad(0.15), { maxZoom: 11 });
    else map.setView([13.736, 100.523], 6);
  }, 0);
}

function legend() {
  return el('ul', { class: 'plain program-legend', 'aria-label': t('program.legend') },
    COLOURS.map((colour, n) => el('li', {}, el('span', { class: `swatch steps-${n}` }), t('program.steps_of', { n }))));
}

const DOMAINS = ['capacity', 'process', 'legitimacy', 'outcomes'];

function scoreCell(value) {
  if (value === null || value === undefined) return el('td', { class: 'muted' }, '–');
  const band = value >= 67 ? 'good' : value >= 34 ? 'mid' : 'low';
  return el('td', { class: `score score-${band}` }, number(value, 0));
}

function scoreRows() {
  const read = (s) => (scoreSort === 'overall' ? s.overall : s.domains.find((d) => d.domain === scoreSort)?.score);
  return [...scores.stations].sort((a, b) => (read(b) ?? -1) - (read(a) ?? -1) || a.station_code.localeCompare(b.station_code));
}

function indicatorsTable() {
  return el('details', { class: 'score-how' }, el('summary', {}, t('score.how')),
    el('p', { class: 'muted' }, t('score.method')),
    el('div', { class: 'program-scroll-x' }, el('table', { class: 'grid score-indicators' },
      el('thead', {}, el('tr', {}, ['score.domain', 'score.indicator', 'score.definition', 'score.formula', 'score.source']
        .map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, scores.indicators.map((i) => el('tr', { 'data-indicator': i.key },
        el('td', {}, pick(i, 'domain')), el('th', { scope: 'row' }, `${pick(i, 'name')} (${i.unit}, ${t(`score.dir.${i.direction}`)})`),
        el('td', {}, i.definition), el('td', {}, el('code', {}, i.formula)), el('td', {}, i.source)))))));
}

function scorecardCard() {
  if (!scores) return null;
  const head = ['overall', ...DOMAINS].map((key) => el('th', { scope: 'col', 'aria-sort': scoreSort === key ? 'descending' : 'none' },
    el('button', { type: 'button', class: 'btn link sort', 'data-score-sort': key }, t(`score.${key}`))));
  return el('section', { class: 'card program-scorecard', id: 'program-scorecard' },
    el('h3', {}, t('score.title')),
    el('p', { class: 'muted' }, t('score.relative', { n: scores.compared })),
    scores.stations.every((s) => s.overall === null) ? el('p', { class: 'warn-text', role: 'note' }, t('score.nothing')) : null,
    scores.regions.length > 1 ? el('div', { class: 'program-scroll-x' }, el('table', { class: 'grid score-regions' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('program.col.region')),
        ['overall', ...DOMAINS].map((k) => el('th', { scope: 'col' }, t(`score.${k}`))))),
      el('tbody', {}, scores.regions.map((r) => el('tr', { 'data-region': r.region_code },
        el('th', { scope: 'row' }, `${r.region_code} (${t('program.of', { done: r.scored, of: r.stations })})`),
        scoreCell(r.overall), DOMAINS.map((d) => scoreCell(r.domains.find((x) => x.domain === d)?.score))))))) : null,
    el('div', { class: 'program-scroll' }, el('table', { class: 'grid score-stations', id: 'score-table' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('program.col.station')), head)),
      el('tbody', {}, scoreRows().map((s) => el('tr', { 'data-station': s.station_code },
        el('th', { scope: 'row' }, `${s.station_code} · ${pick(s, 'name')}`),
        scoreCell(s.overall), DOMAINS.map((d) => {
          const got = s.domains.find((x) => x.domain === d);
          const cell = scoreCell(got?.score);
          cell.title = t('score.covered', { n: got?.indicators ?? 0, of: got?.of ?? 0 });
          return cell;
        })))))),
    indicatorsTable());
}

// Monthly reports of the country (HQ only) or of a region whose stations the user all sees.
function reportScopes() {
  const out = [];
  if (store.me?.station_ids === null) {
    out.push({ kind: 'national', code: null, unit: nationalUnit, value: 'national', label: t('monthly.national') });
  }
  for (const r of data.regions) {
    out.push({ kind: 'region', code: r.region_code, unit: r.region_code, value: r.region_code, label: `${r.region_code} · ${pick(r, 'name')}` });
  }
  return out;
}

function reportsArea() {
  const scopes = reportScopes();
  if (!scopes.length) return el('div', { id: 'program-reports' });
  const chosen = scopes.find((s) => s.value === reportScope) || scopes[0];
  const select = el('select', { id: 'monthly-scope' },
    scopes.map((s) => el('option', { value: s.value, selected: s === chosen }, s.label)));
  return el('div', { id: 'program-reports' },
    reportsCard(chosen, el('label', { class: 'row' }, el('span', {}, t('monthly.scope')), select)));
}

async function findNationalUnit() {
  if (nationalUnit !== null || store.me?.station_ids !== null) return;
  const units = await api('/api/v1/org-units').catch(() => []);
  nationalUnit = units.find((u) => u.kind === 'national')?.code || '';
}

function render() {
  const body = $('program-body');
  if (!data) return;
  body.replaceChildren(
    el('p', { class: 'muted' }, t('program.period', {
      since: formatDate(data.since), until: formatDate(new Date(new Date(data.until) - 1)),
    })),
    phasesCard(),
    el('div', { class: 'program-split' },
      el('section', { class: 'card program-map-card' }, el('h3', {}, t('program.map')),
        el('div', { id: 'program-map', role: 'img', 'aria-label': t('program.map') }), legend()),
      regionsCard()),
    reportsArea(),
    el('section', { class: 'card program-stations' }, el('h3', {}, t('program.stations_title')), stationsTable()),
    scorecardCard());
  map = null; // the map's box was just made anew
  drawMap();
}

async function load() {
  const mine = ++loading;
  $('program-body').setAttribute('aria-busy', 'true');
  try {
    const until = new Date();
    const since = new Date(until.getTime() - days * 86400e3);
    const period = `since=${encodeURIComponent(since.toISOString())}&until=${encodeURIComponent(until.toISOString())}`;
    const [got, card] = await Promise.all([
      api(`/api/v1/program?${period}`), api(`/api/v1/scorecard?${period}`), findNationalUnit()]);
    if (mine !== loading) return;
    data = got;
    scores = card;
    render();
  } catch (err) {
    if (mine === loading) toast(err instanceof ApiError ? err.message : t('program.failed'), 'error');
  } finally {
    if (mine === loading) $('program-body').removeAttribute('aria-busy');
  }
}

export function setProgramVisible(on) {
  visible = on;
  if (on) load();
}

export function showProgramTab() {
  $('program-tab').hidden = !(can('ops.read') && seesSeveralStations());
}

export function bindProgram() {
  const period = $('program-period');
  period.replaceChildren(...PERIODS.map((n) => el('option', { value: n, selected: n === days }, t('program.days', { n }))));
  period.addEventListener('change', () => { days = Number(period.value); load(); });
  $('program-refresh').addEventListener('click', load);
  $('program-body').addEventListener('change', (event) => {
    if (event.target.id !== 'monthly-scope') return;
    reportScope = event.target.value;
    $('program-reports').replaceWith(reportsArea());
    $('monthly-scope')?.focus();
  });
  $('program-body').addEventListener('click', (event) => {
    const scoreKey = event.target.closest('button[data-score-sort]')?.dataset.scoreSort;
    if (scoreKey) {
      scoreSort = scoreKey;
      $('program-scorecard').replaceWith(scorecardCard());
      $('program-scorecard').querySelector(`button[data-score-sort="${scoreKey}"]`)?.focus();
      return;
    }
    const key = event.target.closest('button[data-sort]')?.dataset.sort;
    if (!key) return;
    sort = { key, dir: sort.key === key && sort.dir === 'asc' ? 'desc' : 'asc' };
    const scroll = $('program-table')?.parentElement;
    scroll?.replaceWith(stationsTable());
    $(`program-table`)?.querySelector(`button[data-sort="${key}"]`)?.focus();
  });
  onLangChange(() => {
    period.replaceChildren(...PERIODS.map((n) => el('option', { value: n, selected: n === days }, t('program.days', { n }))));
    if (visible) render();
  });
}
