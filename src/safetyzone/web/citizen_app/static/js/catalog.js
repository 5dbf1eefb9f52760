// The public catalog (categories, consent purposes, statuses, limits), kept on the phone so
// the forms and the consent text show on a slow link or none.
import { call } from './api.js';
import { currentLang, pick, t } from '/pwa/static/js/i18n.js';
import { el } from '/pwa/static/js/dom.js';
import { recall, remember } from './store.js';

let loaded = recall('catalog');
let pending = null;

export function catalog() { return loaded; }

export function loadCatalog() {
  if (!pending) {
    pending = call('/catalog', { timeout: 15000 })
      .then((body) => { loaded = body; remember('catalog', body); return body; })
      .catch((err) => { pending = null; if (loaded) return loaded; throw err; });
  }
  return pending;
}

export function label(list, key) {
  const item = ((loaded && loaded[list]) || []).find((x) => x.key === key);
  return item ? pick(item) : key;
}

export function statusLabel(key) {
  const item = ((loaded && loaded.statuses) || []).find((x) => x.key === key);
  return item ? pick(item) : t(`status.${key}`);
}

function purposes(keys) {
  const known = (loaded && loaded.purposes) || [];
  return keys.map((key) => known.find((p) => p.key === key)).filter(Boolean);
}

// What the API records as the consent given: the purposes shown and the text's version.
export function consentFor(keys) {
  const shown = purposes(keys);
  return { purposes: shown.map((p) => p.key), version: shown.length ? String(shown[0].version) : '' };
}

// Fill every consent slot: the emergency text on the home screen and in the confirm dialog,
// and a box with an "I agree" tick for each form.
export function renderConsent() {
  document.querySelectorAll('.consent-text[data-purpose]').forEach((node) => {
    const [purpose] = purposes([node.dataset.purpose]);
    node.textContent = purpose ? pick(purpose) : t('consent.loading');
  });
  document.querySelectorAll('.consent-box[data-purposes]').forEach((box) => {
    const keys = box.dataset.purposes.split(' ');
    const ticked = box.querySelector('input')?.checked || false;
    const id = `consent-${keys[0]}`;
    box.replaceChildren(
      el('h3', {}, t('consent.title')),
      ...purposes(keys).map((p) => el('p', { class: 'consent-text', lang: currentLang() }, pick(p))),
      el('label', { class: 'check', for: id },
        el('input', { type: 'checkbox', id, name: 'consent', checked: ticked }), el('span', {}, t('consent.agree'))),
    );
  });
}

export function consentGiven(form) {
  const box = form.querySelector('.consent-box input[name=consent]');
  return Boolean(box && box.checked);
}
