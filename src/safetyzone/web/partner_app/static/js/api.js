// The partner API: JSON with the login's token and a time limit; a 401 spends the refresh
// token once and tries again. Refusals become words from the problem+json answer.
import { currentLang, t } from '/pwa/static/js/i18n.js';
import { AuthError, dropAccess, ensureAccess, refresh } from './session.js';

export class ApiError extends Error {
  constructor(status, body = {}) {
    super(body.detail || (status ? `HTTP ${status}` : 'network'));
    this.status = status; // 0: no answer
    this.body = body;
  }
}

async function bearer() {
  try {
    return await ensureAccess();
  } catch (err) {
    throw new ApiError(err instanceof AuthError ? 401 : 0, err.body || {});
  }
}

export async function api(path, { method = 'GET', json } = {}) {
  for (let round = 0; ; round += 1) {
    const headers = { Accept: 'application/json', Authorization: `Bearer ${await bearer()}` };
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 20000);
    let response;
    try {
      response = await fetch(path, {
        method, headers, body: json === undefined ? undefined : JSON.stringify(json),
        signal: controller.signal, cache: 'no-store',
      });
    } catch {
      throw new ApiError(0);
    } finally {
      clearTimeout(timer);
    }
    if (response.status === 401 && round === 0) {
      dropAccess();
      try { await refresh(); } catch (err) { throw new ApiError(err instanceof AuthError ? 401 : 0, err.body || {}); }
      continue;
    }
    let body = {};
    try { body = await response.json(); } catch { body = {}; }
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }
}

// The words for a refusal: the server's half in the page's language where it wrote both.
export function errorText(err) {
  if (!(err instanceof ApiError) || !err.status) return t('error.network');
  if (err.status === 401) return t('error.login');
  if (err.status === 403) return t('error.forbidden');
  if (err.status === 404) return t('error.notfound');
  if (err.status === 429) return t('error.busy');
  if (err.status >= 500) return t('error.server', { status: err.status });
  const halves = String(err.body.detail || '').split(' / ');
  const detail = halves.length === 2 && currentLang() === 'en' ? halves[1] : halves[0];
  return t('error.refused', { detail: detail || err.status });
}
