// The street map from the file the server holds (SSZ_TILES_FILE, one PMTiles file;
// docs/operations/offline-maps.md): a closed-network CCOC has streets without a tile server.
// The pmtiles reader fetches byte ranges of /api/v1/basemap.pmtiles with the user's token;
// vector tiles (MVT) are drawn by protomaps-leaflet on canvas tiles, raster tiles (PNG, JPEG,
// WebP) by the reader's own Leaflet layer. Both libraries are npm's classic-script bundles
// (their ES modules import bare package names): loaded as script files of this origin, so
// the strict CSP holds, and they find Leaflet as the global `L` they were written for.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';
import { currentLang, onLangChange } from './i18n.js';
import { accessToken, ensureSession, recover } from './session.js';

const SCRIPTS = ['/vendor/pmtiles/pmtiles.js', '/vendor/protomaps-leaflet/protomaps-leaflet.js'];
const MVT = 1;
// OpenStreetMap's licence (ODbL) asks for this line wherever its data is shown.
const ATTRIBUTION = '© OpenStreetMap contributors';

let loading = null;

function script(src) {
  return new Promise((resolve, reject) => {
    const element = document.createElement('script');
    element.src = src;
    element.async = false; // in order: protomaps-leaflet after pmtiles
    element.addEventListener('load', resolve);
    element.addEventListener('error', () => reject(new Error(`${src} did not load`)));
    document.head.append(element);
  });
}

function libraries() {
  if (!loading) {
    globalThis.L = L;
    loading = Promise.all(SCRIPTS.map(script));
  }
  return loading;
}

// The reader's own fetch (ranges, ETag checks, retries) with the session's token: renewed
// before each read, and one recovery (refresh or the log-in dialog) on a 401.
class AuthorizedSource {
  constructor(url) {
    this.inner = new globalThis.pmtiles.FetchSource(url);
  }

  getKey() { return this.inner.getKey(); }

  async getBytes(offset, length, signal, etag) {
    for (let attempt = 0; ; attempt += 1) {
      await ensureSession();
      this.inner.setHeaders(new Headers({ Authorization: `Bearer ${accessToken()}` }));
      try {
        return await this.inner.getBytes(offset, length, signal, etag);
      } catch (err) {
        if (attempt > 0 || !/\b401\b/.test(String(err?.message))) throw err;
        await recover();
      }
    }
  }
}

function vectorLayer(archive, header) {
  return globalThis.protomapsL.leafletLayer({
    url: archive,
    flavor: 'light',
    lang: currentLang(),
    maxDataZoom: header.maxZoom, // deeper zooms draw the last level larger
    attribution: ATTRIBUTION,
  });
}

function rasterLayer(archive, header) {
  return globalThis.pmtiles.leafletRasterLayer(archive, {
    maxNativeZoom: header.maxZoom, maxZoom: 20, attribution: ATTRIBUTION,
  });
}

// Draw the file at `url` under everything else on `map`; resolves to the layer. A failure
// leaves the plain background (the markers and zones still carry the picture) and says why
// in the browser's console.
export async function addBasemap(map, url) {
  await libraries();
  const archive = new globalThis.pmtiles.PMTiles(new AuthorizedSource(url));
  const header = await archive.getHeader();
  const make = header.tileType === MVT ? vectorLayer : rasterLayer;
  let layer = make(archive, header).addTo(map);
  layer.bringToBack();
  L.control.attribution({ prefix: false, position: 'bottomright' }).addTo(map);
  map.getContainer().dataset.basemap = header.tileType === MVT ? 'vector' : 'raster';
  if (header.tileType === MVT) { // street names in the console's language
    onLangChange(() => {
      map.removeLayer(layer);
      layer = vectorLayer(archive, header).addTo(map);
      layer.bringToBack();
    });
  }
  return layer;
}
