// Words (one catalog per language, the same keys in both) and dates: Buddhist Era in Thai,
// Gregorian in English, always Bangkok time. No visible word is written in the scripts.
// Each app keeps its own catalogs; the page names their folder (<html data-words>).

const LANG_KEY = 'ssz.lang';
let lang = document.documentElement.lang === 'en' ? 'en' : 'th';
let words = {};
const listeners = new Set();

export function currentLang() { return lang; }
export function onLangChange(fn) { listeners.add(fn); }

export async function loadLang(wanted) {
  const next = (wanted || lang) === 'en' ? 'en' : 'th';
  const response = await fetch(`${document.documentElement.dataset.words}/${next}.json`);
  words = await response.json();
  const changed = next !== lang;
  lang = next;
  document.documentElement.lang = lang;
  if (wanted) {
    try { localStorage.setItem(LANG_KEY, lang); } catch { /* storage off */ }
    document.cookie = `ssz_lang=${lang}; path=/; max-age=31536000; SameSite=Strict`;
  }
  apply(document);
  if (changed || wanted) listeners.forEach((fn) => fn(lang));
}

export function has(key) { return key in words; }

export function t(key, vars = {}) {
  const text = words[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function apply(root) {
  root.querySelectorAll('[data-i18n]').forEach((node) => { node.textContent = t(node.dataset.i18n); });
  for (const attr of ['placeholder', 'aria-label']) {
    root.querySelectorAll(`[data-i18n-${attr}]`).forEach((node) => {
      node.setAttribute(attr, t(node.getAttribute(`data-i18n-${attr}`)));
    });
  }
}

// {th, en} or {name_th, name_en} style objects from the API: the current language's text.
export function pick(obj, base = '') {
  if (!obj) return '';
  const th = obj[base ? `${base}_th` : 'th'];
  const en = obj[base ? `${base}_en` : 'en'];
  return (lang === 'en' && en) || th || en || '';
}

const PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Bangkok', year: 'numeric', month: 'numeric', day: 'numeric',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

function parts(value) {
  const p = {};
  for (const part of PARTS.formatToParts(new Date(value))) p[part.type] = part.value;
  return p;
}

// "25 พ.ย. 2569 18:47" in Thai (CE + 543), "25 Nov 2026 18:47" in English.
export function formatDateTime(value) {
  if (!value) return '';
  const p = parts(value);
  const year = Number(p.year) + (lang === 'th' ? 543 : 0);
  const month = t('date.months').split(',')[Number(p.month) - 1];
  return `${Number(p.day)} ${month} ${year} ${p.hour}:${p.minute}`;
}

// A calendar day ("2026-12-01", no time zone): "1 ธ.ค. 2569" in Thai, "1 Dec 2026" in English.
export function formatDate(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value || ''));
  if (!m) return '';
  const year = Number(m[1]) + (lang === 'th' ? 543 : 0);
  return `${Number(m[3])} ${t('date.months').split(',')[Number(m[2]) - 1]} ${year}`;
}

// "18:47" (Bangkok) for today's items.
export function formatTime(value) {
  if (!value) return '';
  const p = parts(value);
  return `${p.hour}:${p.minute}`;
}

export function formatDistance(metres) {
  if (metres === null || metres === undefined) return '';
  return metres >= 1000 ? t('unit.km', { n: (metres / 1000).toFixed(1) })
    : t('unit.m', { n: Math.round(metres) });
}

// How long ago: "เมื่อสักครู่", "3 นาทีที่แล้ว", "1 ชม. 20 นาทีที่แล้ว".
export function formatAgo(minutes) {
  const n = Math.max(0, Math.floor(minutes));
  if (n < 1) return t('age.now');
  const age = n < 60 ? t('age.minutes', { n }) : t('age.hours', { h: Math.floor(n / 60), n: n % 60 });
  return t('age.ago', { age });
}

export function minutesSince(value) {
  return (Date.now() - new Date(value).getTime()) / 60000;
}
