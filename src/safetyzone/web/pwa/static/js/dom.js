// The one way the app builds markup: data is always text (no innerHTML anywhere), and the
// page runs under a strict Content-Security-Policy (no inline script or style).

const ATTRIBUTES = new Set(['type', 'title', 'role', 'for', 'id', 'value', 'name', 'placeholder',
  'alt', 'rows', 'maxlength', 'lang', 'accept', 'rel', 'target', 'min', 'max', 'inputmode',
  'autocomplete', 'datetime', 'capture']);
const NEVER = new Set(['innerHTML', 'outerHTML', 'srcdoc', 'style']);
const URL_ATTRIBUTES = new Set(['href', 'src']);

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

// Same-site paths, http(s), blob: pictures, tel: (digits only) and the API's geo: links
// (numbers only); anything else is "#".
export function safeUrl(value) {
  const text = String(value).trim();
  if (text.startsWith('/') && !text.startsWith('//')) return text;
  if (/^tel:\+?[0-9]{3,15}$/.test(text)) return text;
  if (/^geo:-?[0-9.]+,-?[0-9.]+(\?q=-?[0-9.]+,-?[0-9.]+)?$/.test(text)) return text;
  try {
    const url = new URL(text, location.href);
    if (['http:', 'https:', 'blob:'].includes(url.protocol)) return text;
  } catch { /* not a URL */ }
  return '#';
}

export function telUrl(phone) {
  const digits = String(phone || '').replace(/[^0-9+]/g, '');
  return `tel:${digits}`;
}

export function $(selector, root = document) { return root.querySelector(selector); }
export function $$(selector, root = document) { return [...root.querySelectorAll(selector)]; }

export function toast(text, kind = 'info') {
  const item = el('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  document.getElementById('toasts').append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

export function sleep(ms) { return new Promise((resolve) => { setTimeout(resolve, ms); }); }

// A random id for an action: crypto.randomUUID where the page is a secure context, the same
// shape from getRandomValues elsewhere (the API takes 8-64 of A-Z a-z 0-9 _ -).
export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
