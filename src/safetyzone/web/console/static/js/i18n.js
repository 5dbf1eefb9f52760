// Message catalogs (one JSON per language) and Buddhist Era dates in Bangkok time.
// The UI never hard-codes words: every visible string is a catalog key.

const LANG_KEY = 'ssz.lang';
let lang = document.documentElement.lang || 'th';
let words = {};
const listeners = new Set();

export function currentLang() { return lang; }
export function onLangChange(fn) { listeners.add(fn); }

export async function loadLang(wanted) {
  const next = wanted || localStorage.getItem(LANG_KEY) || lang || 'th';
  const response = await fetch(`/console/static/i18n/${next}.json`, { cache: 'no-cache' });
  words = await response.json();
  lang = next;
  localStorage.setItem(LANG_KEY, lang);
  document.cookie = `ssz_lang=${lang}; path=/; SameSite=Strict`;
  document.documentElement.lang = lang;
  apply(document);
  listeners.forEach((fn) => fn(lang));
}

export function t(key, vars = {}) {
  const text = words[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

// A catalog key that may be missing (e.g. an incident kind the catalog does not know yet).
export function tOr(key, fallback) { return key in words ? words[key] : fallback; }

// Every catalog key under a prefix ("incident_kind."): the kinds and dispositions the console
// can name, for the History view's filters.
export function keysWith(prefix) {
  return Object.keys(words).filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
}

export function apply(root) {
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  for (const attr of ['title', 'placeholder', 'aria-label']) {
    root.querySelectorAll(`[data-i18n-${attr}]`).forEach((el) => {
      el.setAttribute(attr, t(el.getAttribute(`data-i18n-${attr}`)));
    });
  }
}

// "name_th" / "name_en" style fields: the current language's, falling back to Thai.
export function pick(obj, base) {
  return (lang === 'en' && obj[`${base}_en`]) || obj[`${base}_th`] || obj[`${base}_en`] || '';
}

const PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Bangkok', year: 'numeric', month: 'numeric', day: 'numeric',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

function bangkok(value) {
  const date = value instanceof Date ? value : new Date(value);
  const out = {};
  for (const part of PARTS.formatToParts(date)) out[part.type] = part.value;
  return out;
}

// "25 พ.ย. 2569 18:47" — Buddhist Era year (CE + 543) in Thai, as Thai readers expect;
// "25 Nov 2026 18:47" (Gregorian) in English. Bangkok time in both.
export function formatDateTime(value, { seconds = false } = {}) {
  if (!value) return '';
  const p = bangkok(value);
  const months = t('date.months').split(',');
  const time = seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
  const year = Number(p.year) + (lang === 'th' ? 543 : 0);
  return `${Number(p.day)} ${months[Number(p.month) - 1]} ${year} ${time}`;
}

// "25 พ.ย. 2569" (B.E.) in Thai, "25 Nov 2026" in English; a day as the date pickers give it.
export function formatDate(value) {
  if (!value) return '';
  return formatDateTime(value).split(' ').slice(0, 3).join(' ');
}

export function formatTime(value) {
  const p = bangkok(value);
  return `${p.hour}:${p.minute}:${p.second}`;
}

export function formatAge(value, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - new Date(value).getTime()) / 1000));
  if (seconds < 60) return t('age.seconds', { n: seconds });
  if (seconds < 3600) return t('age.minutes', { n: Math.floor(seconds / 60) });
  return t('age.hours', { n: Math.floor(seconds / 3600), m: Math.floor((seconds % 3600) / 60) });
}

export function formatDistance(metres) {
  return metres >= 1000 ? t('unit.km', { n: (metres / 1000).toFixed(1) })
    : t('unit.m', { n: Math.round(metres) });
}

export function formatDuration(seconds) {
  if (seconds == null) return '–';
  if (seconds < 60) return t('age.seconds', { n: Math.round(seconds) });
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return t('duration.ms', { m, s });
}
