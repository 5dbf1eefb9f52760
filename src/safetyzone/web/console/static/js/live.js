// Live video in a camera tile. The server opens a viewing session (it checks the owner's
// terms now and the camera's viewer limit, and audits it) and restreams the camera as HLS;
// hls.js (from npm, served by the app) plays it through the browser's MediaSource. Every
// playlist and segment request carries the operator's own token: the session's path is
// useless to anyone else. Closing the tile, or switching back to snapshots, ends the
// session at once, so the camera's viewer count is right and the stream can stop.
import Hls from '/vendor/hls/hls.light.mjs';
import { accessToken, api, ensureSession } from './session.js';

// Why a session could not start, for the tile's message (the problem's code or status).
export class LiveRefused extends Error {
  constructor(status, code, detail) {
    super(detail || code || String(status));
    this.status = status;
    this.code = code;
  }
}

export function liveSupported() { return Hls.isSupported(); }

export class LivePlayer {
  // onTrouble(kind): 'stalled' while the stream recovers, 'failed' when it gave up.
  constructor(cameraId, video, { onTrouble = () => {}, onPlaying = () => {} } = {}) {
    this.cameraId = cameraId;
    this.video = video;
    this.onTrouble = onTrouble;
    this.onPlaying = onPlaying;
    this.session = null;
    this.hls = null;
    this.closed = false;
    this.recoveries = 0;
  }

  async start() {
    const response = await api(`/api/v1/cameras/${this.cameraId}/live`, { method: 'POST', raw: true });
    let body = {};
    try { body = await response.json(); } catch { /* not JSON */ }
    if (!response.ok) throw new LiveRefused(response.status, body.code, body.detail);
    if (this.closed) { this.end(body.session); return; }
    this.session = body.session;
    this.play(body.playlist);
  }

  play(playlist) {
    const hls = new Hls({
      enableWorker: false, // no blob: workers under the console's CSP; fMP4 needs no transmuxing
      lowLatencyMode: true,
      liveSyncDurationCount: 2,
      manifestLoadingMaxRetry: 6,
      // The token is short-lived and refreshed by session.js: read it for each request.
      xhrSetup: (xhr) => { xhr.setRequestHeader('Authorization', `Bearer ${accessToken()}`); },
    });
    this.hls = hls;
    hls.on(Hls.Events.FRAG_BUFFERED, () => { this.recoveries = 0; this.onPlaying(); });
    hls.on(Hls.Events.ERROR, (_event, data) => this.trouble(data));
    hls.loadSource(playlist);
    hls.attachMedia(this.video);
    this.video.muted = true;
    this.video.play().catch(() => { /* autoplay of a muted video is allowed; ignore races */ });
  }

  async trouble(data) {
    if (!data.fatal || this.closed) return;
    const status = data.response?.code;
    if (status === 401) await ensureSession().catch(() => {});
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR && this.recoveries < 3) {
      this.recoveries += 1;
      this.hls.recoverMediaError();
      return;
    }
    // The session ended (idle, server restart) or the stream broke: a new session, a few
    // times; then say so and let the operator ask again.
    this.hls.destroy();
    this.hls = null;
    if (this.recoveries >= 3 || status === 502) {
      this.onTrouble('failed');
      return;
    }
    this.recoveries += 1;
    this.onTrouble('stalled');
    this.session = null;
    try {
      await this.start();
    } catch {
      this.onTrouble('failed');
    }
  }

  end(session = this.session) {
    if (!session) return;
    api(`/api/v1/live/${session}`, { method: 'DELETE', raw: true }).catch(() => {});
  }

  stop() {
    this.closed = true;
    if (this.hls) this.hls.destroy();
    this.hls = null;
    this.end();
    this.session = null;
    this.video.removeAttribute('src');
  }
}
