// The live feed over a WebSocket, resumed from the last seq after any drop, so a console
// that reconnects misses nothing. States: connecting, live, reconnecting, forbidden.
// The socket is opened with a one-time ticket (30 s), never with the access token: a URL
// ends up in logs.
import { recover, streamTicket } from './session.js';

const MAX_BACKOFF_MS = 5000;

export class Feed {
  constructor({ onEntry, onState }) {
    this.onEntry = onEntry;
    this.onState = onState;
    this.lastSeq = null;
    this.ws = null;
    this.backoff = 500;
    this.everLive = false;
    this.stopped = false;
    this.retryTimer = null;
    this.connecting = false; // a ticket is being fetched
    Feed.current = this; // the page's one feed
  }

  state(value) {
    this.current = value;
    this.onState(value);
  }

  async start() {
    await this.connect();
  }

  async connect() {
    clearTimeout(this.retryTimer);
    if (this.stopped || this.connecting) return;
    this.state(this.everLive ? 'reconnecting' : 'connecting');
    let ticket;
    this.connecting = true;
    try {
      ticket = await streamTicket();
    } catch {
      this.retry();
      return;
    } finally {
      this.connecting = false;
    }
    if (this.stopped) return;
    const query = new URLSearchParams({ ticket });
    if (this.lastSeq !== null) query.set('after', String(this.lastSeq));
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/stream?${query}`);
    this.ws = ws;
    ws.onmessage = (event) => this.receive(JSON.parse(event.data));
    ws.onclose = (event) => this.closed(ws, event);
  }

  receive(message) {
    if (message.type === 'hello') {
      if (this.lastSeq === null) this.lastSeq = message.cursor;
      this.backoff = 500;
      this.everLive = true;
      this.state('live');
      return;
    }
    if (message.type === 'ping' || message.seq === undefined) return;
    if (message.seq <= this.lastSeq) return;
    this.lastSeq = message.seq;
    this.onEntry(message);
  }

  async closed(ws, event) {
    if (this.ws !== ws) return;
    this.ws = null;
    if (this.stopped) return;
    if (event.code === 4403) {
      this.state('forbidden');
      return;
    }
    this.state('reconnecting');
    if (event.code === 4401) {
      try { await recover(); } catch { /* the dialog is showing; retry below */ }
    }
    this.retry();
  }

  retry() {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => this.connect(), this.backoff);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }

  // A new token (after a re-login): reconnect so the server checks the new one.
  renew() {
    // A socket that is open or opening (or a ticket on its way) handles itself.
    if (this.ws || this.connecting || this.stopped) return;
    this.connect();
  }
}
