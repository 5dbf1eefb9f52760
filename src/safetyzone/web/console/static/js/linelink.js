// Escalations on the commander's LINE: a one-time code to send to the station's LINE
// account ("SSZ 123456"), the accounts linked, and stopping them (citizen/staff_line.py).
import { formatDateTime, t } from './i18n.js';
import { api } from './session.js';
import { store } from './store.js';
import { el, showDialog, toast } from './ui.js';

const $ = (id) => document.getElementById(id);

async function draw(code = null) {
  const state = await api('/api/v1/auth/me/line-link');
  $('linelink-body').replaceChildren(
    state.linked.length
      ? el('ul', { class: 'plain' }, state.linked.map((l) => el('li', {}, t('linelink.linked', {
        channel: l.channel, at: formatDateTime(l.linked_at) }))))
      : el('p', { class: 'muted' }, t('linelink.none')),
    code ? el('div', { class: 'linelink-code' },
      el('p', {}, t('linelink.send', { channels: code.channels.join(', ') })),
      el('p', { class: 'code big', id: 'linelink-code' }, `SSZ ${code.code}`),
      el('p', { class: 'muted' }, t('linelink.until', { at: formatDateTime(code.expires_at) }))) : null,
  );
  $('linelink-unlink').hidden = !state.linked.length;
}

export function bindLineLink() {
  const open = $('linelink-open');
  open.hidden = store.me?.role !== 'commander';
  open.addEventListener('click', () => {
    draw().then(() => showDialog('linelink')).catch((err) => toast(`${t('error.action')}: ${err.message}`, 'error'));
  });
  $('linelink-new').addEventListener('click', async () => {
    try { await draw(await api('/api/v1/auth/me/line-link', { method: 'POST' })); } catch (err) {
      toast(`${t('error.action')}: ${err.message}`, 'error');
    }
  });
  $('linelink-unlink').addEventListener('click', async () => {
    try {
      await api('/api/v1/auth/me/line-link', { method: 'DELETE' });
      toast(t('linelink.stopped'), 'ok');
      await draw();
    } catch (err) { toast(`${t('error.action')}: ${err.message}`, 'error'); }
  });
}
