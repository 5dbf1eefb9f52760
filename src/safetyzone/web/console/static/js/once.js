// What the console's once-only forms share (a call logged, a work order, a Big 6 decision):
// a new Idempotency-Key per action, the same on its retries (web/idempotency.py), and a
// refusal said in one line with each field's problem.
import { t } from './i18n.js';
import { ApiError } from './session.js';

export function newKey(prefix) {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `${prefix}-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function refusal(err) {
  if (!(err instanceof ApiError)) return t('error.action');
  const problems = (err.body.problems || []).map((p) => [p.field, p.reason].filter(Boolean).join(': '));
  return [err.body.detail || err.message, ...problems].filter(Boolean).join(' · ');
}
