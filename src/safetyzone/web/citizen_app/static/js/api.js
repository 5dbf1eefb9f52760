// The public API: JSON in and out, problem+json errors, a time limit on every request.
// send() retries what may not have arrived with the very same body (and so the same caller
// key): the server answers a repeat with the first result, never a second ticket.
import { t } from '/pwa/static/js/i18n.js';
import { sleep } from '/pwa/static/js/dom.js';

export const BASE = '/api/v1/public';

export class ApiError extends Error {
  constructor(status, body = {}, retryAfter = 0) {
    super(body.detail || (status ? `HTTP ${status}` : 'network'));
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

export async function call(path, { method = 'GET', json, form, key, timeout = 20000 } = {}) {
  const headers = { Accept: 'application/json' };
  if (key) headers['X-Caller-Key'] = key;
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) body = form;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  let response;
  try {
    response = await fetch(`${BASE}${path}`, { method, headers, body, signal: controller.signal, cache: 'no-store' });
  } catch {
    throw new ApiError(0);
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, problem, Number(response.headers.get('Retry-After')) || 0);
  }
  return response.status === 204 ? null : response.json();
}

// Worth another try: no answer, a server fault, or a short "too many" wait.
export function transient(err) {
  return err.status === 0 || err.status >= 500 || (err.status === 429 && err.retryAfter <= 10);
}

export async function send(path, json, { attempts = 4, key, onRetry } = {}) {
  for (let n = 1; ; n += 1) {
    try {
      return await call(path, { method: 'POST', json, key });
    } catch (err) {
      if (!transient(err) || n >= attempts) throw err;
      onRetry?.(n + 1);
      await sleep(err.status === 429 ? Math.max(err.retryAfter, 1) * 1000 : Math.min(1000 * 2 ** (n - 1), 8000));
    }
  }
}

export function errorText(err) {
  if (!(err instanceof ApiError) || err.status === 0) return t('error.network');
  if (err.status === 429) return t('error.busy', { s: err.retryAfter || 60 });
  if (err.status === 404) return t('error.notfound');
  if (err.status === 413 || err.status === 415 || err.status === 422) {
    const first = (err.body.problems || [])[0];
    const detail = first ? [first.field, first.reason].filter(Boolean).join(': ') : err.body.detail;
    return t('error.invalid', { detail: detail || err.status });
  }
  return t('error.server', { status: err.status });
}
