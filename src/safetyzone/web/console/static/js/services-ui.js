// Pieces the station services' desk screens share: a card, a labelled field, the question
// asked before an action that cannot be undone (with the reason it needs), a B.E. echo under
// a date picker, and the API's refusal shown as the toast the operator reads (its Thai
// `detail`). Everything is built with el(): names and reasons typed by people stay text.
import { formatDate, t } from './i18n.js';
import { el, toast } from './ui.js';

export function card(titleKey, cls, ...children) {
  return el('section', { class: `card ${cls}` }, el('h3', { text: t(titleKey) }), ...children);
}

let fieldIds = 0;
// A label over its control; the label names the control for screen readers and the tests.
export function field(labelKey, control, extra = null) {
  if (!control.id) { fieldIds += 1; control.id = `svc-field-${fieldIds}`; }
  return el('div', { class: 'svc-field' }, el('label', { for: control.id }, t(labelKey)), control, extra);
}

export function input(attrs = {}) { return el('input', { type: 'text', ...attrs }); }

export function button(labelKey, onClick, cls = '', attrs = {}) {
  const node = el('button', { type: 'button', class: `btn small ${cls}`, ...attrs }, t(labelKey));
  node.addEventListener('click', onClick);
  return node;
}

// A date picker's day in the Buddhist Era next to it ("25 พ.ย. 2569"), as the console's
// other pickers show: the browser's own picker shows the Gregorian year.
export function dateWithEcho(attrs = {}) {
  const picker = el('input', { type: 'date', ...attrs });
  const echo = el('output', { class: 'be-date' });
  const update = () => { echo.textContent = picker.value ? formatDate(`${picker.value}T12:00:00+07:00`) : ''; };
  picker.addEventListener('input', update);
  update();
  return { picker, echo };
}

// A refusal, Thai first: what kind of refusal it is in the console's words (by status), then
// the server's own `detail` and each field's problem (some services answer in Thai, some
// name the field in English).
const KINDS = { 403: 'svc.refused.403', 404: 'svc.refused.404', 409: 'svc.refused.409', 422: 'svc.refused.422', 429: 'svc.refused.429' };
export function refused(err, fallbackKey = 'svc.failed') {
  const body = err?.body || {};
  const problems = (body.problems || body.errors || []).map((p) => p.detail || p.msg).filter(Boolean);
  const said = [body.detail || err?.message, ...problems].filter(Boolean).join(' · ');
  const kind = t(KINDS[err?.status] || fallbackKey);
  toast(said ? `${kind}: ${said}` : kind, 'error', 'services-error');
}

// The confirmation dialog lives in ui.js (the incident panel asks with it too).
export { confirmAction } from './ui.js';

// Did the person start typing in `root`? A periodic refresh then waits, so it never wipes
// what they were writing.
export function busyTyping(root) {
  if (!root) return false;
  const active = document.activeElement;
  if (active && root.contains(active) && ['INPUT', 'TEXTAREA', 'SELECT'].includes(active.tagName)) return true;
  return [...root.querySelectorAll('input[type=text], input[type=number], textarea')]
    .some((node) => node.value !== node.defaultValue);
}
