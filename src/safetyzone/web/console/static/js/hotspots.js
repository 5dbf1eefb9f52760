// Statistical hotspots: a layer of the chosen station's square cells from its reported
// incidents over the last 30, 90 or 365 days, by Gi* (hot/cold at a 5 % false discovery
// rate), local Moran's I (HH/LL/HL/LH), kernel density or plain counts; with a legend and a
// line of figures. Cells and words are DOM nodes (data is text). See docs/measure/hotspots.md.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';
import { onLangChange, t } from './i18n.js';
import { theMap } from './map.js';
import { api, ApiError } from './session.js';
import { store } from './store.js';
import { el } from './ui.js';

const DAY_MS = 24 * 3600 * 1000;
const COLOURS = {
  hot: '#c0392b', HH: '#c0392b', HL: '#e67e22', cold: '#2e86c1', LL: '#2e86c1', LH: '#85c1e9',
  ns: '#bdc3c7',
};
const CLASSES = { gi_star: ['hot', 'cold', 'ns'], moran: ['HH', 'HL', 'LL', 'LH', 'ns'] };

const $ = (id) => document.getElementById(id);
let drawn = null;
let loaded = null; // the last answer, for redrawing words on a language change
let asked = 0; // answers to older questions are dropped
const station = () => $('station-select').value || store.station;

function cellStyle(method, props, most) {
  if (method === 'gi_star' || method === 'moran') {
    const cls = props.class;
    return {
      color: COLOURS[cls] || COLOURS.ns, weight: cls === 'ns' ? 0.5 : 1,
      fillColor: COLOURS[cls] || COLOURS.ns, fillOpacity: cls === 'ns' ? 0.12 : 0.55,
    };
  }
  const value = method === 'kde' ? props.density : props.count;
  return { color: '#922b21', weight: 0.5, fillColor: '#c0392b', fillOpacity: 0.08 + 0.6 * (value / most) };
}

function tip(method, props) {
  const parts = [t('hotspots.count', { n: props.count })];
  if (props.class) parts.push(t(`hotspots.c.${props.class}`));
  if (props.z !== undefined) parts.push(`z ${props.z.toFixed(2)} · p_fdr ${props.p_fdr.toPrecision(2)}`);
  if (method === 'kde') parts.push(t('hotspots.density', { d: props.density.toPrecision(2) }));
  return el('span', { class: 'ssz-label' }, parts.join(' · '));
}

function legend() {
  const list = $('hotspots-legend');
  if (!loaded) { list.replaceChildren(); return; }
  const { method } = loaded.summary;
  const classes = CLASSES[method];
  list.replaceChildren(...(classes
    ? classes.map((c) => el('li', {}, el('span', { class: `hotspots-swatch ${c}` }),
      `${t(`hotspots.c.${c}`)} (${loaded.summary.classes[c] || 0})`))
    : [el('li', {}, el('span', { class: 'hotspots-swatch dense' }), t(`hotspots.m.${method}`))]));
}

function status(text) { $('hotspots-status').textContent = text; }

function summary() {
  if (!loaded) return;
  const s = loaded.summary;
  status(t('hotspots.summary', { n: s.points, c: s.cells, m: s.cell_m }));
}

export function clearHotspots() {
  asked += 1;
  if (drawn) drawn.remove();
  drawn = null;
  loaded = null;
  legend();
  status('');
}

async function show() {
  const ticket = ++asked;
  if (drawn) drawn.remove();
  drawn = null;
  loaded = null;
  legend();
  if (!$('hotspots-on').checked) { status(''); return; }
  if (!station()) { status(t('hotspots.pick_station')); return; }
  const method = $('hotspots-method').value;
  const until = new Date();
  const since = new Date(until.getTime() - Number($('hotspots-days').value) * DAY_MS);
  status(t('hotspots.loading'));
  let body;
  try {
    body = await api(`/api/v1/hotspots/cells?station_code=${encodeURIComponent(station())}`
      + `&method=${encodeURIComponent(method)}&since=${encodeURIComponent(since.toISOString())}`
      + `&until=${encodeURIComponent(until.toISOString())}`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (ticket === asked) status(err.message);
    return;
  }
  if (ticket !== asked) return;
  loaded = body;
  drawn = L.layerGroup().addTo(theMap());
  const values = body.features.map((f) => (method === 'kde' ? f.properties.density : f.properties.count));
  const most = Math.max(1e-12, ...values);
  for (const feature of body.features) {
    const ring = feature.geometry.coordinates[0].map(([lon, lat]) => [lat, lon]);
    const props = feature.properties;
    L.polygon(ring, { ...cellStyle(method, props, most), className: `hotspot-cell hotspot-${props.class || method}` })
      .bindTooltip(() => tip(method, props), { sticky: true })
      .addTo(drawn);
  }
  legend();
  summary();
  // The cells that stand out, in view and clear of the layers panel on the map's right.
  const notable = body.features.filter((f) => ['hot', 'HH', 'cold', 'LL'].includes(f.properties.class));
  const shown = notable.length ? notable : body.features;
  if (shown.length) {
    const bounds = L.latLngBounds(shown.flatMap((f) => f.geometry.coordinates[0].map(([lon, lat]) => [lat, lon])));
    const panel = document.getElementById('layers')?.getBoundingClientRect().width || 0;
    theMap().fitBounds(bounds, { paddingTopLeft: [30, 30], paddingBottomRight: [panel + 30, 30], maxZoom: 17, animate: false });
  }
}

// The tables behind the layer: the near-repeat test (Knox: are incidents close in place
// also close in time?) and how well each method's flagged cells of the first two thirds of
// the period caught the last third (PAI and PEI). Numbers from the server, drawn as text.
function knoxTable(k) {
  const rows = [
    ['hotspots.k.points', String(k.points)],
    ['hotspots.k.near', t('hotspots.k.near_v', { m: k.distance_m, d: k.days })],
    ['hotspots.k.pairs', String(k.pairs)], ['hotspots.k.expected', k.expected.toFixed(1)],
    ['hotspots.k.ratio', k.ratio === null ? '–' : k.ratio.toFixed(2)],
    ['hotspots.k.p', `${k.p_sim.toPrecision(2)} (${t('hotspots.k.perm', { n: k.permutations })})`],
  ];
  return el('section', { class: 'hs-table', id: 'hotspots-knox' }, el('h3', {}, t('hotspots.k.title')),
    el('table', { class: 'grid' }, el('tbody', {}, rows.map(([key, value]) => el('tr', {},
      el('th', { scope: 'row' }, t(key)), el('td', {}, value))))),
    el('p', { class: 'muted' }, t(k.p_sim < 0.05 && (k.ratio || 0) > 1 ? 'hotspots.k.yes' : 'hotspots.k.no')));
}

function forecastTable(f) {
  if (!f.train_points || !f.test_points) {
    return el('section', { class: 'hs-table', id: 'hotspots-forecast' }, el('h3', {}, t('hotspots.f.title')),
      el('p', { class: 'muted' }, t('hotspots.f.empty', { train: f.train_points, test: f.test_points })));
  }
  return el('section', { class: 'hs-table', id: 'hotspots-forecast' }, el('h3', {}, t('hotspots.f.title')),
    el('p', { class: 'muted' }, t('hotspots.f.split', { train: f.train_points, test: f.test_points })),
    el('table', { class: 'grid' },
      el('thead', {}, el('tr', {}, ['hotspots.f.method', 'hotspots.f.area', 'hotspots.f.hits', 'PAI', 'PEI']
        .map((k) => el('th', { scope: 'col' }, k.startsWith('hotspots') ? t(k) : k)))),
      el('tbody', {}, f.rows.map((r) => el('tr', { 'data-method': r.method },
        el('th', { scope: 'row' }, t(`hotspots.f.m.${r.method}`)),
        el('td', {}, `${(100 * r.area_share).toFixed(1)} %`),
        el('td', {}, `${r.hits} / ${r.test_total}`),
        el('td', {}, r.pai === null ? '–' : r.pai.toFixed(2)),
        el('td', {}, r.pei === null ? '–' : r.pei.toFixed(2)))))),
    el('p', { class: 'muted' }, t('hotspots.f.read')));
}

async function openTables() {
  const dialog = $('hotspots-tables');
  const body = $('hotspots-tables-body');
  if (!station()) { status(t('hotspots.pick_station')); return; }
  const until = new Date();
  const since = new Date(until.getTime() - Number($('hotspots-days').value) * DAY_MS);
  const split = new Date(since.getTime() + (2 / 3) * (until - since));
  const q = (path, extra) => api(`/api/v1/hotspots/${path}?station_code=${encodeURIComponent(station())}`
    + `&since=${encodeURIComponent(since.toISOString())}&until=${encodeURIComponent(until.toISOString())}${extra}`);
  body.replaceChildren(el('p', { class: 'muted' }, t('hotspots.loading')));
  dialog.showModal();
  const said = (err) => el('p', { class: 'error' }, err instanceof ApiError ? err.message : t('error.action'));
  const [knox, forecast] = await Promise.allSettled([
    q('knox', '&distance_m=200&days=14'), q('forecast', `&split=${encodeURIComponent(split.toISOString())}`)]);
  body.replaceChildren(
    knox.status === 'fulfilled' ? knoxTable(knox.value) : said(knox.reason),
    forecast.status === 'fulfilled' ? forecastTable(forecast.value) : said(forecast.reason));
}

export function bindHotspots() {
  $('hotspots-tables-open').addEventListener('click', () => { openTables().catch(() => {}); });
  for (const id of ['hotspots-on', 'hotspots-method', 'hotspots-days', 'station-select']) {
    $(id).addEventListener('change', show);
  }
  onLangChange(() => { legend(); summary(); });
}
