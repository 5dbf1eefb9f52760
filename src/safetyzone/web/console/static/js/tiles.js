// A camera tile: the picture through the app (never the camera's address), refreshed every
// few seconds, with the camera's state on it. One request at a time per tile, each with its
// own time limit, so a camera that does not answer says so and never holds up the page.
// A picture the owner's sharing terms refuse (403: an alarm-only camera with no incident,
// footage on request, registry only) shows the terms once and stops asking: the terms do
// not change every two seconds. resume() asks again (an incident docked the camera).
// A camera with a stream can be switched to live video (live.js) and back.
import { t } from './i18n.js';
import { LivePlayer, LiveRefused, liveSupported } from './live.js';
import { api } from './session.js';
import { el } from './ui.js';

const REFRESH_MS = 2000;
const REQUEST_LIMIT_MS = 6000;

export class CameraTile {
  constructor(camera, { removable = false, onRemove = null, live = false, onMode = null } = {}) {
    this.camera = camera;
    this.stopped = false;
    this.mode = 'snapshot'; // or 'live'
    this.player = null;
    this.onMode = onMode;
    this.refused = false; // the sharing terms refused the picture: polling paused
    this.url = null;
    this.el = document.createElement('figure');
    this.el.className = 'tile';
    this.el.dataset.cameraId = camera.id;
    this.el.dataset.cameraCode = camera.code;
    this.el.append(
      el('div', { class: 'frame' }, el('img', { alt: camera.code }),
        el('video', { muted: true, playsInline: true, hidden: true, 'aria-label': camera.code }),
        el('div', { class: 'tile-msg' })),
      el('figcaption', {}, el('span', { class: 'code' }, camera.code), el('span', { class: 'state' })),
    );
    if (camera.has_stream && liveSupported()) {
      const toggle = el('button', { type: 'button', class: 'tile-live' }, t('camera.live'));
      toggle.addEventListener('click', () => (this.mode === 'live' ? this.snapshots() : this.goLive()));
      this.el.querySelector('figcaption').insertBefore(toggle, this.el.querySelector('.state'));
      this.toggle = toggle;
    }
    if (removable) {
      const x = document.createElement('button');
      x.type = 'button';
      x.className = 'tile-remove';
      x.textContent = '×';
      x.setAttribute('aria-label', t('wall.remove'));
      x.addEventListener('click', () => onRemove && onRemove(camera.id));
      this.el.appendChild(x);
    }
    this.show('loading', t('camera.loading'));
    if (live && this.toggle) this.goLive();
    else this.loop();
  }

  // Live video instead of snapshots; on a refusal, say why and go back to snapshots.
  async goLive() {
    if (this.stopped || this.mode === 'live') return;
    this.mode = 'live';
    clearTimeout(this.timer);
    this.toggle.textContent = t('camera.snapshots');
    this.toggle.setAttribute('aria-pressed', 'true');
    this.show('loading', t('camera.loading'));
    const video = this.el.querySelector('video');
    this.player = new LivePlayer(this.camera.id, video, {
      onPlaying: () => {
        if (this.mode !== 'live') return;
        video.hidden = false;
        this.el.querySelector('img').hidden = true;
        this.show('live', '');
      },
      onTrouble: (kind) => {
        if (this.mode !== 'live') return;
        if (kind === 'stalled') this.show('loading', t('camera.msg.reconnecting'));
        else this.snapshots(t('camera.msg.live_failed'));
      },
    });
    try {
      await this.player.start();
      this.onMode?.(this.camera.id, 'live');
    } catch (err) {
      if (!(err instanceof LiveRefused)) { this.snapshots(t('camera.msg.live_failed')); return; }
      const why = { 403: sharingMessage(err.message), 409: t('camera.msg.no_live'),
        429: t('camera.msg.viewers_full'), 503: t('camera.msg.no_ffmpeg') }[err.status]
        || t('camera.msg.live_failed');
      if (err.status === 403) {
        this.snapshots();
        this.refused = true;
        this.show('forbidden', why);
        return;
      }
      this.snapshots(why);
    }
  }

  // Back to snapshots (the operator's choice, or after a refusal with its reason).
  snapshots(reason = '') {
    if (this.stopped) return;
    const wasLive = this.mode === 'live';
    this.mode = 'snapshot';
    this.player?.stop();
    this.player = null;
    const video = this.el.querySelector('video');
    video.hidden = true;
    this.el.querySelector('img').hidden = false;
    if (this.toggle) {
      this.toggle.textContent = t('camera.live');
      this.toggle.setAttribute('aria-pressed', 'false');
    }
    if (wasLive) this.onMode?.(this.camera.id, 'snapshot');
    this.show('loading', reason || t('camera.loading'));
    this.reason = reason;
    if (!this.refused) this.loop();
  }

  show(state, message) {
    this.el.dataset.state = state;
    // The owner's terms refused the picture: live video would be refused too.
    if (this.toggle) this.toggle.hidden = state === 'forbidden';
    const label = this.el.querySelector('.state');
    label.textContent = t(`camera.state.${state}`);
    label.className = `state ${state}`;
    const msg = this.el.querySelector('.tile-msg');
    msg.textContent = message || '';
    msg.hidden = !message;
  }

  async loop() {
    while (!this.stopped && !this.refused && this.mode === 'snapshot') {
      const started = Date.now();
      await this.fetchOnce();
      const wait = Math.max(REFRESH_MS - (Date.now() - started), 250);
      await new Promise((resolve) => { this.timer = setTimeout(resolve, wait); });
    }
  }

  async fetchOnce() {
    const controller = new AbortController();
    const limit = setTimeout(() => controller.abort(), REQUEST_LIMIT_MS);
    try {
      const response = await api(`/api/v1/cameras/${this.camera.id}/snapshot`,
        { raw: true, signal: controller.signal });
      if (this.stopped || this.mode !== 'snapshot') return;
      if (response.ok) {
        const blob = await response.blob();
        if (this.stopped || this.mode !== 'snapshot') return;
        const url = URL.createObjectURL(blob);
        this.el.querySelector('img').src = url;
        if (this.url) URL.revokeObjectURL(this.url);
        this.url = url;
        const state = response.headers.get('X-Camera-State') || 'online';
        // A reason live video was refused stays on the first picture, then gives way.
        this.show(state, state === 'frozen' ? t('camera.msg.frozen') : (this.reason || ''));
        this.reason = '';
        return;
      }
      let body = {};
      try { body = await response.json(); } catch { /* not JSON */ }
      if (response.status === 403) {
        this.refused = true;
        this.show('forbidden', sharingMessage(body.detail || ''));
      }
      else if (body.code === 'no-snapshot-url') this.show('nourl', t('camera.msg.nourl'));
      else if (response.status === 504) this.show('offline', t('camera.msg.timeout'));
      else this.show('offline', t('camera.msg.offline'));
    } catch (err) {
      if (!this.stopped) this.show('offline', t('camera.msg.timeout'));
    } finally {
      clearTimeout(limit);
    }
  }

  // Ask for the picture again after the terms refused it (an incident now docks the camera).
  resume() {
    if (this.stopped || !this.refused) return;
    this.refused = false;
    this.show('loading', t('camera.loading'));
    this.loop();
  }

  stop() {
    this.stopped = true;
    this.player?.stop();
    clearTimeout(this.timer);
    if (this.url) URL.revokeObjectURL(this.url);
    this.el.remove();
  }
}

function sharingMessage(detail) {
  if (detail.startsWith('footage on request')) return t('camera.msg.footage');
  if (detail.startsWith('live on alarm')) return t('camera.msg.on_alarm');
  if (detail.startsWith('registry only')) return t('camera.msg.registry');
  return t('camera.msg.forbidden');
}
