// Visible presence: the station's H3 cells of one Bangkok day, shaded by the minutes patrol
// units spent in each (darker: more). A toggle and a day in the track panel.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';
import { formatDate, onLangChange, t } from './i18n.js';
import { theMap } from './map.js';
import { api, ApiError } from './session.js';
import { store } from './store.js';
import { el } from './ui.js';

const $ = (id) => document.getElementById(id);
let drawn = null;
let loaded = null; // the last answer, for redrawing words on a language change
let asked = 0; // answers to older questions are dropped
// The station picked in the top bar (read here: its own change handler may run after ours).
const station = () => $('station-select').value || store.station;

function total() {
  $('presence-total').textContent = !loaded ? ''
    : loaded.cells.length ? t('presence.total', { n: loaded.total_minutes, c: loaded.cells.length })
      : t('presence.none');
}

export function clearPresence() {
  asked += 1;
  if (drawn) drawn.remove();
  drawn = null;
  loaded = null;
  $('presence-on').checked = false;
  total();
}

async function show() {
  const ticket = ++asked;
  if (drawn) drawn.remove();
  drawn = null;
  if (!$('presence-on').checked || !station() || !$('presence-day').value) {
    loaded = null;
    total();
    return;
  }
  let body;
  try {
    body = await api(`/api/v1/patrol/presence?station_code=${encodeURIComponent(station())}`
      + `&day=${encodeURIComponent($('presence-day').value)}`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    $('presence-total').textContent = err.message;
    return;
  }
  if (ticket !== asked) return;
  loaded = body;
  drawn = L.layerGroup().addTo(theMap());
  const most = Math.max(1, ...body.cells.map((c) => c.minutes));
  for (const cell of body.cells) {
    L.polygon(cell.boundary, {
      color: '#6c3483', weight: 1, fillColor: '#8e44ad', fillOpacity: 0.12 + 0.6 * (cell.minutes / most),
      className: 'presence-cell',
    }).bindTooltip(() => el('span', { class: 'ssz-label' }, t('presence.cell', { n: cell.minutes })), { sticky: true })
      .addTo(drawn);
  }
  total();
}

// ``toInput`` writes a time as a Bangkok datetime-local value; its date part is today there.
export function bindPresence(toInput) {
  $('presence-day').value = toInput(Date.now()).slice(0, 10);
  echoDay();
  $('presence-on').addEventListener('change', show);
  $('presence-day').addEventListener('change', () => { echoDay(); show(); });
  $('station-select').addEventListener('change', show);
  onLangChange(() => { echoDay(); total(); });
}

// The picker is the browser's (Gregorian); beside it the day in B.E. for Thai readers.
function echoDay() {
  const day = $('presence-day').value;
  $('presence-day-be').textContent = day ? formatDate(`${day}T12:00:00+07:00`) : '';
}
