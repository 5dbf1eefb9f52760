// The officer API: JSON in and out with the login's token, problem+json errors, a time limit
// on every request. A 401 spends the refresh token once and tries again.
import { t, currentLang, has } from '/pwa/static/js/i18n.js';
import { AuthError, dropAccess, ensureAccess, refresh } from './session.js';

export class ApiError extends Error {
  constructor(status, body = {}, retryAfter = 0) {
    super(body.detail || (status ? `HTTP ${status}` : 'network'));
    this.status = status; // 0: no answer (offline, timeout)
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

async function token() {
  try {
    return await ensureAccess();
  } catch (err) {
    if (err instanceof AuthError) throw new ApiError(401, err.body);
    throw new ApiError(err instanceof TypeError ? 0 : (err.status || 0), err.body || {});
  }
}

// One request; answers {status, body, headers} for any HTTP answer (errors included), throws
// ApiError(0) when none came, ApiError(401) when the login is gone.
export async function request(path, { method = 'GET', json, form, headers = {}, timeout = 20000, raw = false } = {}) {
  for (let attempt = 0; ; attempt += 1) {
    const bearer = await token();
    const sent = { Accept: 'application/json', ...headers, Authorization: `Bearer ${bearer}` };
    let body;
    if (json !== undefined) {
      sent['Content-Type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form) body = form;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    let response;
    try {
      response = await fetch(path, { method, headers: sent, body, signal: controller.signal, cache: 'no-store' });
    } catch {
      throw new ApiError(0);
    } finally {
      clearTimeout(timer);
    }
    if (response.status === 401 && attempt === 0) {
      dropAccess();
      try { await refresh(); } catch (err) {
        throw new ApiError(err instanceof AuthError ? 401 : 0, err.body || {});
      }
      continue;
    }
    if (raw) return { status: response.status, response };
    let parsed = null;
    if (response.status !== 204) {
      try { parsed = await response.json(); } catch { parsed = null; }
    }
    return { status: response.status, body: parsed || {}, headers: response.headers };
  }
}

export async function get(path) {
  const answer = await request(path);
  if (answer.status >= 400) {
    throw new ApiError(answer.status, answer.body, Number(answer.headers.get('Retry-After')) || 0);
  }
  return answer.body;
}

// A picture read with the token, as a blob: URL the page may show under its CSP.
export async function picture(path, timeout = 15000) {
  const { status, response } = await request(path, { raw: true, timeout, headers: { Accept: 'image/*' } });
  if (status >= 400) throw new ApiError(status);
  return URL.createObjectURL(await response.blob());
}

// The words to show for a refusal: the problem's own bilingual message where it has one
// (message_th / message_en), its code's words where the catalog has them, else its detail.
export function problemText(status, body = {}) {
  if (!status) return t('error.network');
  const message = currentLang() === 'en' ? body.message_en || body.message_th : body.message_th || body.message_en;
  if (message) return message;
  if (body.code && has(`problem.${body.code}`)) return t(`problem.${body.code}`);
  const bilingual = ownHalf(body.detail);
  if (bilingual && bilingual !== body.detail) return bilingual; // the server's own Thai words
  if (status === 401) return t('error.login');
  if (status === 403) return t('error.forbidden');
  if (status === 404) return t('error.notfound');
  if (status === 429) return t('error.busy');
  if (status >= 500) return t('error.server', { status });
  const first = (body.problems || [])[0];
  const detail = ownHalf(body.detail) || (first ? [first.field, first.reason].filter(Boolean).join(': ') : '');
  return detail ? t('error.refused', { detail }) : t('error.server', { status });
}

// The officer API writes refusals as "Thai / English": the half in the app's language.
function ownHalf(detail) {
  if (!detail) return '';
  const halves = String(detail).split(' / ');
  if (halves.length !== 2 || !/[\u0E00-\u0E7F]/.test(halves[0])) return detail;
  return currentLang() === 'en' ? halves[1] : halves[0];
}

export function errorText(err) {
  return err instanceof ApiError ? problemText(err.status, err.body) : t('error.network');
}
