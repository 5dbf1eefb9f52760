// A call logged by hand (191 transfer, phone, walk-in, radio, counter): the form beside the
// map, and the call's part of the incident panel.
//
// The form is a non-modal dialog so the map stays usable: a click on the map while the form
// is open puts the incident's pin there. Each opening of the form gets one idempotency key,
// kept across retries of that form, so a double click or a lost answer opens one incident.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';
import { currentLang, formatDateTime, onLangChange, pick, t } from './i18n.js';
import { theMap } from './map.js';
import { newKey } from './once.js';
import { api, ApiError } from './session.js';
import { can, emit, store, upsertIncident } from './store.js';
import { el, toast } from './ui.js';

let catalog = null;
let provinces = null;
let key = '';
let pin = null;
let priorityTouched = false;
const $ = (id) => document.getElementById(id);
const dialog = () => $('call');


function label(item) { return currentLang() === 'en' ? item.en : item.th; }

function options(select, items, { placeholder = null, value = (x) => x, text = (x) => x } = {}) {
  select.replaceChildren(
    ...(placeholder ? [el('option', { value: '' }, placeholder)] : []),
    ...items.map((item) => el('option', { value: value(item) }, text(item))));
}

function drawCatalog() {
  if (!catalog) return;
  const source = $('call-source').value;
  options($('call-source'), catalog.sources, { value: (s) => s.key, text: label });
  if (source) $('call-source').value = source;
  const type = $('call-type').value;
  $('call-type').replaceChildren(el('option', { value: '' }, t('call.type_choose')),
    ...catalog.groups.map((g) => el('optgroup', { label: label(g) },
      ...catalog.types.filter((x) => x.group === g.key).map((x) => el('option', { value: x.key }, label(x))))));
  $('call-type').value = type;
  $('call-notice').textContent = currentLang() === 'en' ? catalog.notice_en : catalog.notice_th;
}

function drawStations() {
  const select = $('call-station');
  const stations = store.stations.length ? store.stations : [];
  options(select, stations, { value: (s) => s.code, text: (s) => pick(s, 'name') || s.code });
  if (store.station) select.value = store.station;
  select.closest('.field').hidden = stations.length < 2;
  drawLandmarks();
}

// The station's points (SOS poles, red boxes, posts...) the caller may name as where they are.
function drawLandmarks() {
  const station = store.stations.find((s) => s.code === $('call-station').value);
  const points = [...store.assets.values()].filter((a) => !station || a.station_id === station.id)
    .sort((a, b) => a.code.localeCompare(b.code)).slice(0, 2000);
  $('call-points').replaceChildren(...points.map((a) => el('option', { value: a.code }, pick(a, 'name'))));
}

async function loadProvinces() {
  if (!provinces) provinces = (await api('/api/v1/places/thai-address')).names;
  options($('call-province'), provinces, { placeholder: t('call.province_choose') });
}

async function provinceChanged() {
  const province = $('call-province').value;
  options($('call-district'), [], { placeholder: t('call.district_choose') });
  options($('call-subdistrict'), [], { placeholder: t('call.subdistrict_choose') });
  $('call-postcode').textContent = '';
  if (!province) return;
  const level = await api(`/api/v1/places/thai-address?province=${encodeURIComponent(province)}`);
  options($('call-district'), level.names, { placeholder: t('call.district_choose') });
}

async function districtChanged() {
  const province = $('call-province').value;
  const district = $('call-district').value;
  options($('call-subdistrict'), [], { placeholder: t('call.subdistrict_choose') });
  $('call-postcode').textContent = '';
  if (!district) return;
  const level = await api(`/api/v1/places/thai-address?province=${encodeURIComponent(province)}&district=${encodeURIComponent(district)}`);
  options($('call-subdistrict'), level.sub_districts, {
    placeholder: t('call.subdistrict_choose'), value: (s) => s.name, text: (s) => s.name,
  });
  $('call-subdistrict').dataset.postcodes = JSON.stringify(Object.fromEntries(level.sub_districts.map((s) => [s.name, s.postcodes.join(', ')])));
}

function typeChanged() {
  const type = catalog?.types.find((x) => x.key === $('call-type').value);
  if (type && !priorityTouched) $('call-priority').value = String(type.priority);
}

function sourceChanged() {
  const transfer = $('call-source').value === 'transfer_191';
  $('call-ref').required = transfer;
  $('call-ref').closest('.field').hidden = !transfer;
}

function anonymousChanged() {
  const anonymous = $('call-anonymous').checked;
  for (const id of ['call-caller-name', 'call-caller-phone']) {
    $(id).disabled = anonymous;
    if (anonymous) $(id).value = '';
  }
}

function onMapClick(event) {
  const { lat, lng } = event.latlng;
  setPin(lat, lng);
}

function setPin(lat, lon) {
  $('call-lat').value = lat.toFixed(6);
  $('call-lon').value = lon.toFixed(6);
  $('call-pin').textContent = `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
  $('call-pin-clear').hidden = false;
  const map = theMap();
  if (!map) return;
  if (pin) pin.setLatLng([lat, lon]);
  else {
    pin = L.marker([lat, lon], {
      icon: L.divIcon({ className: 'mk call-pin', html: el('span', {}, '✚'), iconSize: null }),
      keyboard: false,
    }).addTo(map);
  }
}

function clearPin() {
  $('call-lat').value = '';
  $('call-lon').value = '';
  $('call-pin').textContent = t('call.pin_none');
  $('call-pin-clear').hidden = true;
  if (pin) { pin.remove(); pin = null; }
}

export async function openCall() {
  if (!can('incident.act')) return;
  const form = $('call-form');
  if (!dialog().open) {
    form.reset();
    key = newKey('call');
    priorityTouched = false;
    clearPin();
    $('call-error').textContent = '';
    form.querySelectorAll('[aria-invalid]').forEach((n) => n.removeAttribute('aria-invalid'));
  }
  if (!catalog) catalog = await api('/api/v1/calls/catalog');
  drawCatalog();
  drawStations();
  sourceChanged();
  anonymousChanged();
  await loadProvinces();
  dialog().show();
  theMap()?.on('click', onMapClick);
  $('call-source').focus();
}

export function closeCall() {
  theMap()?.off('click', onMapClick);
  clearPin();
  if (dialog().open) dialog().close();
}

function text(id) {
  const value = $(id).value.trim();
  return value || null;
}

function body() {
  const out = {
    station_code: $('call-station').value,
    source: $('call-source').value,
    call_type: $('call-type').value,
    priority: Number($('call-priority').value),
    description: $('call-description').value.trim(),
  };
  const ago = Number($('call-ago').value || 0);
  if (ago > 0) out.received_at = new Date(Date.now() - ago * 60_000).toISOString();
  if (out.source === 'transfer_191') out.external_ref = text('call-ref');
  const province = $('call-province').value;
  if (province) {
    out.address = {
      province, district: $('call-district').value, sub_district: $('call-subdistrict').value,
      line: text('call-address-line'),
    };
  }
  const landmark = text('call-landmark');
  if (landmark) {
    const point = [...store.assets.values()].find((a) => a.code === landmark);
    if (point) out.landmark_asset_code = point.code; else out.landmark = landmark;
  }
  if ($('call-lat').value) {
    out.lat = Number($('call-lat').value);
    out.lon = Number($('call-lon').value);
  }
  const anonymous = $('call-anonymous').checked;
  const name = text('call-caller-name');
  const phone = text('call-caller-phone');
  if (anonymous || name || phone) {
    out.caller = { anonymous, name, phone, notice_given: $('call-notice-given').checked };
  }
  return out;
}

// The server's problem fields, e.g. "address.district" or "caller.notice_given", mark the
// form's own fields, so the operator sees where to look.
const FIELD_IDS = {
  call_type: 'call-type', external_ref: 'call-ref', description: 'call-description',
  'address.province': 'call-province', 'address.district': 'call-district',
  'address.sub_district': 'call-subdistrict', 'caller.notice_given': 'call-notice-given',
  'caller.phone': 'call-caller-phone', 'caller.name': 'call-caller-name',
  landmark_asset_code: 'call-landmark', received_at: 'call-ago', priority: 'call-priority',
};

function showProblem(err) {
  const problems = err instanceof ApiError ? err.body.problems || [] : [];
  for (const p of problems) {
    const id = FIELD_IDS[p.field] || FIELD_IDS[String(p.field || '').replace(/^body\./, '')];
    if (id) $(id).setAttribute('aria-invalid', 'true');
  }
  $('call-error').textContent = err.message;
}

async function submit(event) {
  event.preventDefault();
  const form = $('call-form');
  form.querySelectorAll('[aria-invalid]').forEach((n) => n.removeAttribute('aria-invalid'));
  $('call-error').textContent = '';
  const data = body();
  if (data.caller && (data.caller.name || data.caller.phone) && !data.caller.notice_given) {
    $('call-notice-given').setAttribute('aria-invalid', 'true');
    $('call-error').textContent = t('call.notice_needed');
    $('call-notice-given').focus();
    return;
  }
  if (!data.address && !data.landmark && !data.landmark_asset_code && data.lat === undefined) {
    $('call-error').textContent = t('call.where_needed');
    $('call-province').focus();
    return;
  }
  const button = $('call-submit');
  button.disabled = true;
  try {
    const response = await api('/api/v1/calls', { method: 'POST', json: data, headers: { 'Idempotency-Key': key } });
    upsertIncident(response.incident);
    emit('incidents-changed');
    closeCall();
    toast(t('call.created', { title: pick(response.incident, 'title') }), 'ok');
    emit('open-incident', response.incident.id);
  } catch (err) {
    showProblem(err);
  } finally {
    button.disabled = false;
  }
}

// The caller shown on request, kept for the incident it belongs to: the panel is redrawn on
// every update of the incident, and a caller the officer asked for must not vanish with it.
let revealed = null; // { id, text }

function callerLine(text) {
  return el('p', { class: 'caller' }, el('b', {}, t('call.caller')), ' ', text);
}

// The incident panel's part for a call: how it came, the place as said, and the caller on
// request only (the server audits each time a caller is shown).
export function callSection(d) {
  if (!d.detail?.manual) return null;
  const info = d.detail;
  const address = info.address;
  const rows = [
    el('dt', {}, t('call.source')), el('dd', {}, pick(info, 'source')),
    el('dt', {}, t('call.received')), el('dd', {}, formatDateTime(d.device_time, { seconds: true })),
    info.external_ref ? el('dt', {}, t('call.ref')) : null,
    info.external_ref ? el('dd', { id: 'inc-call-ref' }, info.external_ref) : null,
    address ? el('dt', {}, t('call.address')) : null,
    address ? el('dd', { id: 'inc-call-address' }, [address.line, `${address.province === 'กรุงเทพมหานคร' ? 'แขวง' : 'ต.'}${address.sub_district}`,
      `${address.province === 'กรุงเทพมหานคร' ? 'เขต' : 'อ.'}${address.district}`, `จ.${address.province}`, address.postcode].filter(Boolean).join(' ')) : null,
    info.landmark ? el('dt', {}, t('call.landmark')) : null,
    info.landmark ? el('dd', {}, info.landmark) : null,
  ];
  const caller = el('div', { id: 'inc-caller' });
  if (revealed?.id === d.id) caller.append(callerLine(revealed.text));
  else if (can('incident.act')) {
    caller.append(el('button', { type: 'button', class: 'btn small', id: 'inc-caller-show' }, t('call.caller_show')));
  }
  return el('section', { class: 'inc-section' }, el('h3', { text: t('call.section') }),
    el('dl', { class: 'inc-meta' }, ...rows), caller);
}

async function showCaller(incidentId, box) {
  const call = await api(`/api/v1/incidents/${incidentId}/call`);
  const parts = call.caller_anonymous ? [t('call.anonymous')]
    : call.caller_erased_at ? [t('call.caller_erased')]
      : [call.caller_name || '–', call.caller_phone || ''];
  revealed = { id: incidentId, text: parts.filter(Boolean).join(' · ') };
  // The panel may have been redrawn while the answer came: write into its box now, if it
  // still shows this incident.
  if (document.getElementById('incident').dataset.id !== incidentId) return;
  (document.getElementById('inc-caller') || box).replaceChildren(callerLine(revealed.text));
}

export function bindCalls() {
  const open = $('call-new');
  open.hidden = !can('incident.act');
  open.addEventListener('click', () => openCall().catch((err) => toast(`${t('error.action')}: ${err.message}`, 'error')));
  $('call-form').addEventListener('submit', submit);
  $('call-cancel').addEventListener('click', closeCall);
  $('call-pin-clear').addEventListener('click', clearPin);
  $('call-station').addEventListener('change', drawLandmarks);
  $('call-source').addEventListener('change', sourceChanged);
  $('call-type').addEventListener('change', typeChanged);
  $('call-priority').addEventListener('change', () => { priorityTouched = true; });
  $('call-anonymous').addEventListener('change', anonymousChanged);
  $('call-province').addEventListener('change', () => provinceChanged().catch((err) => showProblem(err)));
  $('call-district').addEventListener('change', () => districtChanged().catch((err) => showProblem(err)));
  $('call-subdistrict').addEventListener('change', () => {
    const codes = JSON.parse($('call-subdistrict').dataset.postcodes || '{}');
    $('call-postcode').textContent = codes[$('call-subdistrict').value] || '';
  });
  dialog().addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { event.preventDefault(); closeCall(); }
  });
  document.getElementById('incident').addEventListener('click', (event) => {
    const button = event.target.closest('#inc-caller-show');
    if (!button) return;
    const id = document.getElementById('incident').dataset.id;
    showCaller(id, button.parentElement).catch((err) => toast(`${t('error.action')}: ${err.message}`, 'error'));
  });
  onLangChange(() => { if (dialog().open) drawCatalog(); });
}
