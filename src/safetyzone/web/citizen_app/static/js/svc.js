// What the station services' screens share (lost documents, home watch, consultation): the
// station the person deals with, each service's own consent box, refusals said in Thai, the
// B.E. echo under a date picker, and files the API gives only with the caller key.
import { ApiError, BASE, call, errorText } from './api.js';
import { $, el } from '/pwa/static/js/dom.js';
import { currentLang, formatDate, formatDateTime, has, pick, t } from '/pwa/static/js/i18n.js';
import { PlacePicker } from './place.js';
import { recall, remember } from './store.js';

// A refusal in words a person reads: the API's 422 names the fields (in English), the app
// names them in the person's language; a 409 is said by the screen that knows what it means.
export function problemText(err, { conflict = null } = {}) {
  if (err instanceof ApiError && err.status === 422) {
    const labels = [...new Set((err.body.problems || []).map((p) => fieldLabel(p.field)).filter(Boolean))];
    if (labels.length) return t('service.invalid', { fields: labels.join(', ') });
  }
  if (err instanceof ApiError && err.status === 409 && conflict) return conflict;
  return errorText(err);
}

function fieldLabel(field) {
  const parts = String(field || '').split('.').filter((p) => !/^\d+$/.test(p));
  for (const key of [parts.join('_'), parts[0], parts.at(-1)]) {
    if (key && has(`field.${key}`)) return t(`field.${key}`);
  }
  return null;
}

// A form's error line; returns false so a check can `return fail(form, text)`.
export function fail(form, text) {
  form.querySelector(':scope > .error').textContent = text;
  return false;
}

// The consent text a service sends (its own text and version), with an "I agree" tick.
export function consentBox(box, { th, en, version }) {
  const ticked = box.querySelector('input')?.checked || false;
  const id = `${box.id}-agree`;
  box.dataset.version = version;
  box.replaceChildren(
    el('h3', {}, t('consent.title')),
    el('p', { class: 'consent-text', lang: currentLang() }, pick({ th, en })),
    el('label', { class: 'check', for: id },
      el('input', { type: 'checkbox', id, name: 'consent', checked: ticked }), el('span', {}, t('consent.agree'))));
}

export function consented(box) {
  return Boolean(box.dataset.version && box.querySelector('input[name=consent]')?.checked);
}

// Under a date or date-time picker, the chosen day as Thai people read it (Buddhist Era):
// the picker itself shows what the phone's locale shows.
export function echoDate(input) {
  const echo = $(`[data-echo="${input.id}"]`);
  const update = () => {
    const v = input.value;
    echo.textContent = !v ? '' : input.type === 'date' ? formatDate(v) : formatDateTime(new Date(v));
  };
  input.addEventListener('input', update);
  input.addEventListener('change', update);
  update();
  return update;
}

// A file the API gives only to the caller key (a visit's photo, the certificate), as a
// blob: URL the page made itself (the CSP allows those; data is never markup).
export async function blobUrl(path, key) {
  let response;
  try {
    response = await fetch(`${BASE}${path}`, { headers: { 'X-Caller-Key': key }, cache: 'no-store' });
  } catch {
    throw new ApiError(0);
  }
  if (!response.ok) {
    let body = {};
    try { body = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, body);
  }
  return URL.createObjectURL(await response.blob());
}

// Label: value lines of a service's page.
export function facts(rows) {
  return el('dl', { class: 'kv' }, ...rows.filter(Boolean).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

export function statusPill(service, status) {
  return el('p', { class: `status-now s-${status}`, id: `${service}-status`, 'data-status': status }, t(`${service}.status.${status}`));
}

// The station a lost document is declared to, or a consultation booked with: the one the
// address names (LINE sends /citizen?station=CODE#lostdoc), else the one chosen last for a
// service, else the one found last on "my station", else found here from the phone's
// position or a pin. Its name comes with the station's consultation offer (a public read).
export class StationChoice {
  constructor(root, { onChange = () => {} } = {}) {
    this.root = root;
    this.onChange = onChange;
    this.value = null; // { code, name_th, name_en }
    this.line = el('p', { class: 'station-now', role: 'status' });
    this.toggle = el('button', { type: 'button', class: 'btn wide' });
    this.finder = el('div', { class: 'place', hidden: true });
    this.picker = new PlacePicker(this.finder, { onChange: (place) => this.locate(place) });
    this.toggle.addEventListener('click', () => this.open());
    root.replaceChildren(this.line, this.toggle, this.finder);
  }

  async start() {
    const asked = new URLSearchParams(location.search).get('station');
    let problem = '';
    if (asked && (!this.value || this.value.code !== asked)) {
      try {
        const found = await call(`/consult/slots?${new URLSearchParams({ station_code: asked })}`);
        this.set({ code: found.station_code, name_th: found.station_th, name_en: found.station_en });
        return;
      } catch (err) {
        problem = err.status === 404 || err.status === 422 ? t('service.station.unknown') : errorText(err);
      }
    }
    const known = recall('service.station') || recall('station')?.station;
    if (!this.value && known) this.set(known);
    this.draw(problem);
  }

  set(station) {
    const changed = !this.value || this.value.code !== station.code;
    this.value = { code: station.code, name_th: station.name_th, name_en: station.name_en };
    remember('service.station', this.value);
    this.finder.hidden = true;
    this.draw();
    if (changed) this.onChange(this.value);
  }

  draw(problem = '') {
    this.line.replaceChildren(...[this.value ? el('b', {}, pick(this.value, 'name')) : t('service.station.none'),
      problem ? el('span', { class: 'error' }, ` ${problem}`) : null].filter(Boolean));
    this.toggle.textContent = t(this.value ? 'service.station.change' : 'service.station.find');
    this.toggle.hidden = !this.finder.hidden;
  }

  open() {
    this.finder.hidden = false;
    this.toggle.hidden = true;
    this.picker.show();
  }

  async locate(place) {
    const { lat, lon } = place.location;
    try {
      const found = await call(`/stations/locate?${new URLSearchParams({ lat, lon })}`);
      remember('station', found);
      this.set(found.station);
    } catch (err) {
      this.draw(errorText(err));
    }
  }

  redraw() { this.draw(); }
}
