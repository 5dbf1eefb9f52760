// Small pieces every view uses: toasts, the alert sound, the flash, dialogs.
import { t } from './i18n.js';

let audio = null;

// An alert's sound and flash, as a DOM event other parts of the page may follow.
function signal(detail) { document.dispatchEvent(new CustomEvent('ssz:alert', { detail })); }

export function toast(text, kind = 'info', tag = '') {
  const box = document.getElementById('toasts');
  const item = document.createElement('div');
  item.className = `toast ${kind}`;
  if (tag) item.dataset.tag = tag;
  item.setAttribute('role', kind === 'error' || kind === 'warn' ? 'alert' : 'status');
  item.textContent = text;
  box.appendChild(item);
  setTimeout(() => item.remove(), kind === 'ok' ? 4000 : 9000);
}

// Browsers start audio only after the person has touched the page: unlock on the first key.
export function unlockAudio() {
  if (!audio) {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx) audio = new Ctx();
  }
  if (audio && audio.state === 'suspended') audio.resume();
}

// A beep made by the Web Audio API: no sound file to ship. Escalations beep three times.
export function beep(times = 2) {
  signal({ beep: times });
  unlockAudio();
  if (!audio) return;
  const start = audio.currentTime + 0.01;
  for (let i = 0; i < times; i += 1) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'square';
    osc.frequency.value = i % 2 ? 660 : 880;
    gain.gain.setValueAtTime(0.0001, start + i * 0.22);
    gain.gain.exponentialRampToValueAtTime(0.25, start + i * 0.22 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.22 + 0.18);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + i * 0.22);
    osc.stop(start + i * 0.22 + 0.2);
  }
}

export function flash(kind = 'new') {
  signal({ flash: kind });
  const el = document.getElementById('flash');
  el.className = '';
  void el.offsetWidth; // restart the animation
  el.className = `on ${kind}`;
}

export function showDialog(id) {
  const dialog = document.getElementById(id);
  if (!dialog.open) dialog.showModal();
  return dialog;
}

// The one way the console builds markup: data is always text. Children that are not nodes
// become text nodes, so a name like `<img src=x onerror=...>` shows as those characters and
// never runs. Attributes are set as attributes or properties, never as HTML; event handler
// attributes and HTML-valued properties are refused, and a link or source may not be a
// `javascript:` URL. Nothing in the console uses innerHTML or insertAdjacentHTML with data.
const ATTRIBUTES = new Set(['type', 'title', 'role', 'for', 'id', 'value', 'name', 'placeholder',
  'alt', 'rows', 'maxlength', 'lang']);
const NEVER = new Set(['innerHTML', 'outerHTML', 'innerText', 'srcdoc', 'style']);
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction']);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (NEVER.has(key) || /^on/i.test(key)) throw new Error(`el(): refusing attribute ${key}`);
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (URL_ATTRIBUTES.has(key)) node.setAttribute(key, safeUrl(value));
    else if (key.startsWith('data-') || key.startsWith('aria-') || ATTRIBUTES.has(key)) {
      node.setAttribute(key, String(value));
    } else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Only same-site paths, http(s) and blob:/data:image URLs; anything else becomes "#".
export function safeUrl(value) {
  const text = String(value).trim();
  if (text.startsWith('/') && !text.startsWith('//')) return text;
  try {
    const url = new URL(text, location.href);
    if (['http:', 'https:', 'blob:'].includes(url.protocol)) return text;
    if (url.protocol === 'data:' && /^data:image\/(png|jpeg|gif|webp)[;,]/i.test(text)) return text;
  } catch { /* not a URL */ }
  return '#';
}

export function statusText(state) { return t(`state.${state}`); }

// Ask before acting; with `reason`, the person must also say why (at least `min`
// characters). Resolves to the reason (or true) when confirmed, null when cancelled.
export function confirmAction({ title, text, confirmKey, reason = null, min = 3, danger = true, value = '' }) {
  return new Promise((resolve) => {
    const why = reason ? el('textarea', { rows: 3, maxlength: 500, id: 'svc-confirm-reason' }) : null;
    if (why) why.value = value;
    const error = el('p', { class: 'error', role: 'alert' });
    const ok = el('button', { type: 'submit', class: `btn ${danger ? 'danger' : 'primary'}`, 'data-confirm': '' }, t(confirmKey));
    const cancel = el('button', { type: 'button', class: 'btn', 'data-cancel': '' }, t('svc.cancel'));
    const form = el('form', { method: 'dialog' },
      el('h2', {}, title), el('p', {}, text),
      why ? el('label', { for: 'svc-confirm-reason' }, t(reason)) : null, why, error,
      el('div', { class: 'row svc-confirm-actions' }, cancel, ok));
    const dialog = el('dialog', { class: 'svc-confirm confirm', 'aria-label': title }, form);
    let answer = null;
    form.addEventListener('submit', (event) => {
      if (why && why.value.trim().length < min) {
        event.preventDefault();
        error.textContent = t('svc.reason_needed', { n: min });
        why.focus();
        return;
      }
      answer = why ? why.value.trim() : true;
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => { dialog.remove(); resolve(answer); });
    document.body.append(dialog);
    dialog.showModal();
    (why || ok).focus();
  });
}
