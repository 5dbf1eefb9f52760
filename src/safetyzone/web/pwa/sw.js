// The phone apps' service worker (served by each app's pages.py through web/pwa, with the
// names below filled in).
//
// It keeps the app shell so the app opens with no network, and nothing else: the API (/api/)
// is never cached and never queued here. The citizen app must fail where the person can see
// it (an emergency sent offline shows the station's phone and 191 to call instead of
// pretending that help is on the way); the officer app's own outbox (static/js/outbox.js)
// holds every action with the Idempotency-Key made when the officer acted and sends it again
// in order: a second, hidden queue here could send an action twice or show a stale incident
// as if it were current.
const CACHE = "__CACHE__";
const FAMILY = "__CACHE_FAMILY__"; // this app's older caches, removed on activation
const SHELL = "__SHELL__";
const SCOPE = "__SCOPE__";
const KEEP_ON_USE = "__KEEP_ON_USE__"; // libraries kept the first time they are used
const PAGE = SHELL[0];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // 'no-cache': files the page has just loaded are revalidated (304), not sent twice.
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'no-cache' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(FAMILY) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function isPage(url, request) {
  return request.mode === 'navigate' && (url.pathname === SCOPE || url.pathname.startsWith(`${SCOPE}/`));
}

// Pages: the network first (a fresh page in the right language), the kept shell when offline.
async function page(request) {
  try {
    const response = await fetch(request);
    if (response.ok && new URL(request.url).pathname === PAGE) {
      const cache = await caches.open(CACHE);
      await cache.put(PAGE, response.clone());
    }
    return response;
  } catch (err) {
    const kept = await caches.match(PAGE);
    if (kept) return kept;
    throw err;
  }
}

// Shell files: the kept copy first; anything under KEEP_ON_USE joins the cache when fetched.
async function file(request, url) {
  const kept = await caches.match(request, { ignoreSearch: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && KEEP_ON_USE.some((prefix) => url.pathname.startsWith(prefix))) {
    const cache = await caches.open(CACHE);
    await cache.put(url.pathname, response.clone());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return; // sends go to the network: never queued here
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (isPage(url, request)) {
    event.respondWith(page(request));
  } else if (SHELL.includes(url.pathname) || KEEP_ON_USE.some((p) => url.pathname.startsWith(p))) {
    event.respondWith(file(request, url));
  }
});
