// Tips (ตาสับปะรด): named or anonymous. An anonymous tipster gets a follow-up code shown
// large, to write down; each follow-up spends it and gives the next one.
import { errorText, send } from './api.js';
import { catalog, consentFor, consentGiven, statusLabel } from './catalog.js';
import { $, el } from '/pwa/static/js/dom.js';
import { pick, t } from '/pwa/static/js/i18n.js';
import { PlacePicker } from './place.js';
import { newKey, recall, saveTicket, ticket } from './store.js';
import { messageList } from './ticket.js';

let picker;
let draftKey = null;
let go = () => {};

const form = () => $('#tip-form');
const named = () => form().querySelector('input[name=who]:checked').value === 'named';

export function renderTipCategories() {
  const select = $('#tip-category');
  const now = select.value;
  const list = (catalog() && (catalog().tip_categories || catalog().categories)) || [];
  select.replaceChildren(el('option', { value: '' }, '—'),
    ...list.map((c) => el('option', { value: c.key, selected: c.key === now }, pick(c))));
}

function showCodes(code, followup) {
  $('#tip-code').textContent = code;
  $('#tip-followup').textContent = followup;
  $('#tip-codes').hidden = false;
  form().hidden = true;
  $('#tip-codes').scrollIntoView({ block: 'start' });
}

async function submit(event) {
  event.preventDefault();
  const error = form().querySelector('.error');
  const text = $('#tip-text').value.trim();
  const category = $('#tip-category').value;
  if (!category) { error.textContent = t('form.missing.category'); return; }
  if (!text) { error.textContent = t('form.missing.text'); return; }
  if (!consentGiven(form())) { error.textContent = t('consent.needed'); return; }
  error.textContent = '';
  const button = form().querySelector('button[type=submit]');
  button.disabled = true;
  button.textContent = t('form.sending');
  draftKey = draftKey || newKey();
  const body = { client_key: draftKey, anonymous: !named(), category, text,
    consent: consentFor(named() ? ['tip', 'contact'] : ['tip']) };
  if (named()) {
    body.name = $('#tip-name').value.trim() || null;
    body.phone = $('#tip-phone').value.trim() || null;
  }
  if (picker.value) body.location = picker.value.location;
  else if (recall('station')?.station) body.station_code = recall('station').station.code;
  try {
    const result = await send('/tips', body);
    saveTicket({ code: result.code, kind: 'tip', key: draftKey, at: new Date().toISOString(),
      status: result.status, followup: result.followup_code || null });
    draftKey = null;
    form().reset();
    picker.clear();
    $('#tip-identity').hidden = true;
    if (result.followup_code) showCodes(result.code, result.followup_code);
    else go(`/citizen/t/${result.code}`);
  } catch (err) {
    error.textContent = errorText(err);
  } finally {
    button.disabled = false;
    button.textContent = t('form.send');
  }
}

async function followUp(event) {
  event.preventDefault();
  const box = $('#followup-form');
  const error = box.querySelector('.error');
  const code = $('#followup-code').value.trim().toUpperCase();
  const secret = $('#followup-secret').value.trim().toUpperCase();
  if (!code || !secret) { error.textContent = t('followup.wrong'); return; }
  error.textContent = '';
  try {
    const text = $('#followup-text').value.trim();
    const result = await send(`/tips/${encodeURIComponent(code)}/followup`,
      { followup_code: secret, text: text || null }, { attempts: 1 });
    const known = ticket(code);
    if (known) saveTicket({ code, followup: result.next_followup_code, status: result.status });
    $('#followup-secret').value = '';
    $('#followup-text').value = '';
    const out = $('#followup-result');
    out.replaceChildren(
      el('p', { class: `status-now s-${result.status}` }, t('followup.status', { status: statusLabel(result.status) })),
      messageList(result.messages || []),
      el('div', { class: 'card codes' }, el('p', {}, t('tip.codes.followup')),
        el('p', { class: 'code-big', id: 'followup-next' }, result.next_followup_code), el('p', { class: 'muted' }, t('tip.codes.text'))),
    );
    out.hidden = false;
    out.scrollIntoView({ block: 'start' }); // the next code, to write down
  } catch (err) {
    error.textContent = err.status === 404 ? t('followup.wrong') : errorText(err);
  }
}

export function initTip(navigate) {
  go = navigate;
  picker = new PlacePicker($('[data-place=tip]'));
  form().addEventListener('submit', submit);
  form().addEventListener('change', (e) => { if (e.target.name === 'who') $('#tip-identity').hidden = !named(); });
  form().querySelector('details').addEventListener('toggle', (e) => { if (e.target.open) picker.show(); });
  $('#followup-form').addEventListener('submit', followUp);
  $('#tip-codes-done').addEventListener('click', () => {
    $('#tip-codes').hidden = true;
    form().hidden = false;
  });
}

export function showTip(prefill) {
  renderTipCategories();
  if (prefill) {
    $('#followup-code').value = prefill.code;
    $('#followup-secret').value = prefill.followup || '';
  }
}
