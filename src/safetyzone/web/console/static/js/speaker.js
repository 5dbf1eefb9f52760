// Loudspeakers: play a prerecorded message or announce a text, sent as a command.
import { formatDateTime, pick, t } from './i18n.js';
import { api } from './session.js';
import { store } from './store.js';
import { el, showDialog, toast } from './ui.js';

let messages = null;
let assetId = null;

async function history() {
  const rows = await api(`/api/v1/assets/${assetId}/commands`);
  document.getElementById('speaker-history').replaceChildren(...rows.map((c) => el('li', {},
    el('time', {}, formatDateTime(c.requested_at, { seconds: true })), ' ', c.requested_by, ' · ',
    c.type === 'play' ? t('speaker.played', { id: c.message_id }) : el('q', {}, c.text))));
}

export async function openSpeaker(id) {
  assetId = id;
  const asset = store.assets.get(id);
  if (!messages) messages = await api('/api/v1/speaker-messages');
  document.getElementById('speaker-name').textContent = asset ? `${pick(asset, 'name')} (${asset.code})` : id;
  document.getElementById('speaker-message').replaceChildren(...messages.map((m) => el('option', { value: m.id }, pick(m, 'text'))));
  document.getElementById('speaker-text').value = '';
  showDialog('speaker');
  await history();
}

async function send(body) {
  const incident = store.open;
  await api(`/api/v1/assets/${assetId}/commands`, { method: 'POST', json: { ...body, incident_id: incident } });
  toast(t('speaker.sent'), 'ok');
  await history();
}

export function bindSpeaker() {
  document.getElementById('speaker-play').addEventListener('click', () => send({ type: 'play', message_id: document.getElementById('speaker-message').value })
    .catch((err) => toast(`${t('error.action')}: ${err.message}`, 'error')));
  document.getElementById('speaker-announce').addEventListener('click', () => {
    const text = document.getElementById('speaker-text').value.trim();
    if (!text) return;
    send({ type: 'announce', text }).catch((err) => toast(`${t('error.action')}: ${err.message}`, 'error'));
  });
}
