// A report: what (the Thai taxonomy from the catalog), details, up to five photos, where.
// Before sending, reports of the same kind close by are offered to join instead.
import { call, errorText, send } from './api.js';
import { catalog, consentFor, consentGiven, label, statusLabel } from './catalog.js';
import { $, el, toast } from '/pwa/static/js/dom.js';
import { formatAgo, formatDistance, pick, t } from '/pwa/static/js/i18n.js';
import { limits, refuse, uploadAll } from './media.js';
import { PlacePicker } from './place.js';
import { newKey, saveTicket } from './store.js';

let picker;
let photos = []; // {file, url}
let draftKey = null; // one key per report, kept across retries until it is sent
let similarTimer = null;
let go = () => {};

const form = () => $('#report-form');
const chosen = () => form().querySelector('input[name=category]:checked')?.value || '';

export function renderCategories() {
  const now = chosen();
  const chips = ((catalog() && catalog().categories) || []).map((c) => el('label', { class: 'chip' },
    el('input', { type: 'radio', name: 'category', value: c.key, checked: c.key === now }), el('span', {}, pick(c))));
  $('#report-categories').replaceChildren(...chips);
  $('#report-photos-label').textContent = t('report.photos', { n: limits().max_photos });
}

function renderThumbs() {
  $('#report-thumbs').replaceChildren(...photos.map((photo, i) => el('figure', { class: 'thumb' },
    el('img', { src: photo.url, alt: photo.file.name }),
    el('button', { type: 'button', class: 'thumb-x', 'data-i': i, 'aria-label': t('report.photos.remove') }, '×'))));
}

function addFiles(event) {
  const { max_photos: max } = limits();
  for (const file of event.target.files) {
    const reason = refuse(file);
    if (reason) toast(reason, 'error');
    else if (photos.length >= max) { toast(t('report.photos.too_many', { n: max }), 'error'); break; }
    else photos.push({ file, url: URL.createObjectURL(file) });
  }
  event.target.value = '';
  renderThumbs();
}

function lookSimilar() {
  clearTimeout(similarTimer);
  const category = chosen();
  const place = picker.value;
  if (!category || !place) { $('#similar').hidden = true; return; }
  similarTimer = setTimeout(async () => {
    const { lat, lon } = place.location;
    let found = [];
    try {
      found = await call(`/reports/similar?${new URLSearchParams({ category, lat, lon })}`);
    } catch { /* no suggestions is fine: the report can still be sent */ }
    $('#similar-list').replaceChildren(...found.map((item) => el('li', { class: 'similar-item', 'data-code': item.code },
      el('div', {}, el('b', {}, label('categories', item.category)), ' ', el('span', { class: 'muted' }, item.code)),
      el('div', { class: 'muted' }, t('similar.item', {
        distance: formatDistance(item.distance_m), age: formatAgo(item.age_min), status: statusLabel(item.status),
      })),
      item.joined ? el('div', { class: 'muted' }, t('similar.joined', { n: item.joined })) : null,
      el('button', { type: 'button', class: 'btn primary join', 'data-code': item.code }, t('similar.join')))));
    $('#similar').hidden = !found.length;
  }, 300);
}

function problem(text) {
  form().querySelector('.error').textContent = text;
  return false;
}

function valid() {
  if (!chosen()) return problem(t('form.missing.category'));
  if (!picker.value) return problem(t('form.missing.place'));
  if (!$('#report-text').value.trim()) return problem(t('form.missing.text'));
  if (!consentGiven(form())) return problem(t('consent.needed'));
  return problem('') || true;
}

async function submit(join = null) {
  if (!valid()) return;
  const button = form().querySelector('button[type=submit]');
  button.disabled = true;
  button.textContent = t('form.sending');
  draftKey = draftKey || newKey();
  const name = $('#report-name').value.trim();
  const phone = $('#report-phone').value.trim();
  const body = {
    client_key: draftKey, category: chosen(), description: $('#report-text').value.trim(),
    location: picker.value.location, location_source: picker.value.source,
    consent: consentFor(name || phone ? ['report', 'contact'] : ['report']),
  };
  if (name || phone) body.contact = { name: name || null, phone: phone || null };
  if (join) body.join = join;
  try {
    const result = await send('/reports', body);
    saveTicket({ code: result.code, kind: 'report', key: draftKey, at: new Date().toISOString(), status: result.status });
    const failed = await uploadAll(result.code, draftKey, photos.map((p) => p.file), (text) => { button.textContent = text; });
    failed.forEach((text) => toast(t('upload.failed', { name: text }), 'error'));
    photos.forEach((p) => URL.revokeObjectURL(p.url));
    photos = [];
    draftKey = null;
    form().reset();
    renderThumbs();
    picker.clear();
    $('#similar').hidden = true;
    go(`/citizen/t/${result.code}`);
  } catch (err) {
    problem(errorText(err));
  } finally {
    button.disabled = false;
    button.textContent = t('form.send');
  }
}

export function initReport(navigate) {
  go = navigate;
  picker = new PlacePicker($('[data-place=report]'), { onChange: lookSimilar });
  $('#report-files').addEventListener('change', addFiles);
  $('#report-categories').addEventListener('change', lookSimilar);
  $('#report-thumbs').addEventListener('click', (e) => {
    const i = e.target.closest('.thumb-x')?.dataset.i;
    if (i === undefined) return;
    URL.revokeObjectURL(photos[i].url);
    photos.splice(Number(i), 1);
    renderThumbs();
  });
  $('#similar-list').addEventListener('click', (e) => {
    const code = e.target.closest('button.join')?.dataset.code;
    if (code) submit(code);
  });
  form().addEventListener('submit', (e) => { e.preventDefault(); submit(); });
}

export function showReport() {
  renderCategories();
  picker.show();
}
