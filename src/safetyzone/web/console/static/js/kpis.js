// The station's KPIs over the last 30 days (Bangkok), each beside its target, met or not met
// in words as well as colour. 30-day figures change slowly: fetched when the station
// changes, then at most every five minutes. Data is text (el()). See docs/measure/kpis.md.
import { currentLang, formatDate, onLangChange, pick, t } from './i18n.js';
import { api, ApiError } from './session.js';
import { el } from './ui.js';

const EVERY_MS = 5 * 60 * 1000;
const UNIT_KEYS = { min: 'min', h: 'h', '%': 'pct', incidents: 'incidents', unit_h_per_day: 'unit_h_per_day' };
let shown = null; // { code, body, at }
let asked = 0; // answers to older questions are dropped
let loading = null; // the station being fetched now: the panel's 15 s refresh does not ask again

const root = () => document.getElementById('station-kpis');

function number(value) {
  return Number(value).toLocaleString(currentLang() === 'en' ? 'en-GB' : 'th-TH', { maximumFractionDigits: 2 });
}

function amount(value, unit) {
  return t(`kpi.unit.${UNIT_KEYS[unit] || 'pct'}`, { n: number(value) });
}

function result(kpi) {
  if (kpi.value === null) return el('td', { class: 'muted' }, t('kpi.no_data'));
  if (kpi.met === null) return el('td', { class: 'muted' }, t('kpi.no_target'));
  return el('td', { class: kpi.met ? 'ok' : 'bad', 'data-met': String(kpi.met) },
    t(kpi.met ? 'kpi.met' : 'kpi.not_met'));
}

function target(kpi) {
  if (kpi.target === null) return el('td', { class: 'muted' }, '–');
  const words = t(kpi.direction === 'lower' ? 'kpi.below' : 'kpi.at_least', { v: amount(kpi.target, kpi.unit) });
  return el('td', {}, words, kpi.target_source === 'station' ? ` ${t('kpi.station_target')}` : '');
}

function value(kpi) {
  if (kpi.value === null) return el('td', { class: 'muted' }, '–');
  const extra = [];
  if (kpi.ci) extra.push(t('kpi.ci', { low: number(kpi.ci.low), high: number(kpi.ci.high) }));
  if (kpi.warnings.includes('small_sample')) extra.push(t('kpi.small_sample'));
  return el('td', {}, amount(kpi.value, kpi.unit),
    extra.length ? el('small', { class: 'muted kpi-extra' }, extra.join(' · ')) : null);
}

function render() {
  const box = root();
  if (!shown) { box.replaceChildren(); box.hidden = true; return; }
  const { body } = shown;
  const heads = ['kpi.col.kpi', 'kpi.col.value', 'kpi.col.n', 'kpi.col.target', 'kpi.col.result'];
  box.replaceChildren(
    el('h3', { id: 'kpi-title' }, t('kpi.title')),
    el('p', { class: 'muted' }, t('kpi.period', {
      from: formatDate(body.period.since), to: formatDate(new Date(new Date(body.period.until) - 1)),
    }), ' ', t('kpi.note')),
    el('div', { class: 'kpi-scroll' }, el('table', { class: 'grid kpi-table', 'aria-labelledby': 'kpi-title' },
      el('thead', {}, el('tr', {}, heads.map((key) => el('th', { scope: 'col' }, t(key))))),
      el('tbody', {}, body.kpis.map((kpi) => el('tr', { 'data-kpi': kpi.key },
        el('th', { scope: 'row' }, pick(kpi, 'name')), value(kpi), el('td', {}, String(kpi.n)),
        target(kpi), result(kpi)))))));
  box.hidden = false;
}

// The chosen station's KPIs (null: none chosen, the card goes away).
export async function refreshKpis(code) {
  const ticket = ++asked;
  if (!code) { shown = null; render(); return; }
  if (loading === code || (shown && shown.code === code && Date.now() - shown.at < EVERY_MS)) return;
  if (!shown || shown.code !== code) {
    shown = null;
    root().replaceChildren(el('p', { class: 'muted', role: 'status' }, t('kpi.loading')));
    root().hidden = false;
  }
  let body;
  loading = code;
  try {
    body = await api(`/api/v1/stations/${encodeURIComponent(code)}/kpis`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (ticket === asked) { shown = null; render(); }
    return;
  } finally {
    if (loading === code) loading = null;
  }
  if (ticket !== asked) return;
  shown = { code, body, at: Date.now() };
  render();
}

onLangChange(() => render());
