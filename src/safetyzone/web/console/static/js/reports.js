// Monthly reports (docs/measure/reports.md): this month's and last month's PDF or CSV of a
// station (the station panel), a region or the country (the program view), and the latest
// the server archived. Files come with the user's token (files.js), never as plain links.
import { downloadFile } from './files.js';
import { currentLang, formatDateTime, t } from './i18n.js';
import { api, ApiError } from './session.js';
import { el, toast } from './ui.js';

const MONTH = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Bangkok', year: 'numeric', month: '2-digit' });
const ARCHIVE_SHOWN = 4;
const ARCHIVE_FRESH_MS = 60000; // the panel redraws every 15 s; the archive changes monthly
const archived = new Map(); // unit code -> { at, items }

// "2026-11" for this month in Bangkok (offset 0), last month (-1) ...
export function bangkokMonth(offset = 0, now = new Date()) {
  const parts = Object.fromEntries(MONTH.formatToParts(now).map((p) => [p.type, p.value]));
  const index = Number(parts.year) * 12 + Number(parts.month) - 1 + offset;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

// "พฤศจิกายน 2569" (Buddhist Era) in Thai, "November 2026" in English.
export function monthTitle(key) {
  const [year, month] = key.split('-').map(Number);
  return `${t('monthly.months').split(',')[month - 1]} ${year + (currentLang() === 'th' ? 543 : 0)}`;
}

// A report's address: a station's, a region's or the country's (scope.code null).
function reportPath(scope, month, format) {
  const query = new URLSearchParams({ month, format, lang: currentLang() });
  if (scope.kind === 'station') {
    return `/api/v1/stations/${encodeURIComponent(scope.code)}/reports/monthly?${query}`;
  }
  if (scope.kind === 'region') query.set('region_code', scope.code);
  return `/api/v1/reports/monthly?${query}`;
}

async function fetchFile(button, path, name) {
  button.disabled = true;
  try {
    await downloadFile(path, name);
  } catch (err) {
    toast(err instanceof ApiError ? err.message : t('monthly.failed'), 'error');
  } finally {
    button.disabled = false;
  }
}

function archiveList(scope, box) {
  const shown = archived.get(scope.unit);
  if (!shown) {
    box.replaceChildren(el('li', { class: 'muted' }, t('monthly.loading')));
    return;
  }
  box.replaceChildren(...(shown.items.length ? shown.items.slice(0, ARCHIVE_SHOWN).map((r) => el('li', { 'data-report': r.id },
    el('span', {}, monthTitle(r.month)), ' ',
    el('span', { class: 'muted small', title: formatDateTime(r.created_at) }, t('monthly.archived')), ' ',
    el('button', { type: 'button', class: 'btn small', 'data-archive': r.id, 'data-format': 'pdf', 'data-name': `monthly-${r.unit_code}-${r.month}-${r.lang}.pdf` }, 'PDF'),
    el('button', { type: 'button', class: 'btn small', 'data-archive': r.id, 'data-format': 'csv', 'data-name': `monthly-${r.unit_code}-${r.month}-${r.lang}.csv` }, 'CSV')))
    : [el('li', { class: 'muted' }, t('monthly.none_archived'))]));
}

async function loadArchive(scope, box) {
  const known = archived.get(scope.unit);
  if (!known || Date.now() - known.at > ARCHIVE_FRESH_MS) {
    try {
      const got = await api(`/api/v1/reports/monthly/archive?unit_code=${encodeURIComponent(scope.unit)}&limit=${ARCHIVE_SHOWN}`);
      archived.set(scope.unit, { at: Date.now(), items: got.items });
    } catch {
      archived.set(scope.unit, { at: Date.now(), items: [] });
    }
  }
  archiveList(scope, box);
}

// The card. scope: { kind: 'station' | 'region' | 'national', code, unit } where unit is the
// org unit's code the archive lists by (the station's, the region's, HQ's).
export function reportsCard(scope, ...extra) {
  const months = [[0, 'monthly.this_month'], [-1, 'monthly.last_month']];
  const list = el('ul', { class: 'plain monthly-archive' });
  const card = el('section', { class: 'card monthly-reports', 'data-unit': scope.unit || '' },
    el('h3', {}, t('monthly.title')), ...extra,
    el('table', { class: 'grid monthly-now' }, el('tbody', {}, months.map(([offset, key]) => {
      const month = bangkokMonth(offset);
      return el('tr', { 'data-month': month },
        el('th', { scope: 'row' }, `${t(key)} · ${monthTitle(month)}`),
        el('td', {}, el('button', { type: 'button', class: 'btn small', 'data-month': month, 'data-format': 'pdf' }, 'PDF'), ' ',
          el('button', { type: 'button', class: 'btn small', 'data-month': month, 'data-format': 'csv' }, 'CSV')));
    }))),
    el('h4', {}, t('monthly.archive')), list);
  card.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-format]');
    if (!button) return;
    const format = button.dataset.format;
    if (button.dataset.archive) {
      fetchFile(button, `/api/v1/reports/monthly/archive/${encodeURIComponent(button.dataset.archive)}?format=${format}`, button.dataset.name);
      return;
    }
    const month = button.dataset.month;
    const name = `monthly-${scope.unit || 'national'}-${month}-${currentLang()}.${format}`;
    fetchFile(button, reportPath(scope, month, format), name);
  });
  if (scope.unit) loadArchive(scope, list);
  else list.replaceChildren(el('li', { class: 'muted' }, t('monthly.none_archived')));
  return card;
}
