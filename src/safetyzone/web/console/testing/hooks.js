// Hooks for the browser tests, loaded only when the server runs with SSZ_ENVIRONMENT=test
// (pages.py adds this script, assets.py serves /console/test/ only then): a production
// page has no window.__ssz. Each hook does to this page only what a real fault would.
// The imports name the very modules app.js loaded (same URLs), so they share its state.
import { Feed } from '/console/static/js/feed.js';
import { focus, viewState } from '/console/static/js/map.js';
import { logout } from '/console/static/js/session.js';
import { emit, store } from '/console/static/js/store.js';

const probe = { beeps: 0, flashes: 0 };
document.addEventListener('ssz:alert', (event) => {
  if (event.detail?.beep) probe.beeps += 1;
  if (event.detail?.flash) probe.flashes += 1;
});

let held = null; // entries held back, as if the network lagged
let deliver = null;

window.__ssz = {
  probe,
  // What an expired shift looks like: the access token gone, the refresh token refused.
  expireSession: () => {
    logout();
    sessionStorage.setItem('ssz.refresh', 'expired');
  },
  // The socket drops, and the next try waits holdMs (the network stays down that long).
  dropStream: (holdMs) => {
    const feed = Feed.current;
    if (!feed?.ws) return;
    if (holdMs) feed.backoff = holdMs;
    feed.ws.close(4000, 'test drop');
  },
  holdFeed: (on) => {
    const feed = Feed.current;
    if (!feed) return;
    if (on && !held) {
      held = [];
      deliver = feed.onEntry;
      feed.onEntry = (message) => held.push(message);
    } else if (!on && held) {
      feed.onEntry = deliver;
      const late = held;
      held = null;
      late.forEach((message) => deliver(message));
    }
  },
  view: () => ({ ...viewState(), open: store.open, view: document.body.dataset.view }),
  focus: (lat, lon) => focus(lat, lon), // what an operator's pan and zoom would do
  emit,
};
