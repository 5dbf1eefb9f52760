// The console's entry point: session, data, live feed, views and keyboard.
import { acknowledge, dispatchFirstRecommended } from './actions.js';
import { bindAnnouncements } from './announce.js';
import { bindCalls, openCall } from './calls.js';
import { bindLayout, loadLayout } from './layout.js';
import { bindLineLink } from './linelink.js';
import { acknowledgeCitizen } from './citizen-actions.js';
import {
  bindCitizen, closeCitizen, focusReply, isCitizenOpen, openCitizen, reloadCitizenSoon, rerenderCitizen,
} from './citizen.js';
import { Feed } from './feed.js';
import { fitLayers } from './fit.js';
import { bindHistory, renderHistory, setHistoryVisible, showHistoryTab } from './history.js';
import { bindHomeWatch, onHomeWatchEntry, renderHomeWatch, setHomeWatchVisible } from './homewatch.js';
import { apply, currentLang, formatDateTime, loadLang, onLangChange, t } from './i18n.js';
import { bindIncident, closeIncident, isOpen as panelOpen, openIncident, reloadSoon } from './incident.js';
import {
  drawCitizen, drawIncident, drawStatic, drawUnit, fitIfPending, initMap, LAYERS, redrawChosen, setLayer, theMap,
} from './map.js';
import {
  bindPatrol, loadPatrol, onPatrolEntry, renderPatrol, rerenderPatrol, setPatrolVisible, startPatrolRefresh,
} from './patrol.js';
import { bindQueue, markNew, move, renderQueue, tickAges } from './queue.js';
import {
  api, hasRefreshToken, login, logout, onTokens, refresh, setReloginHandler, username,
} from './session.js';
import { bindServices, renderServices, setServicesVisible, showServicesTab } from './services.js';
import { bindSpeaker, openSpeaker } from './speaker.js';
import { bindPolls } from './poll.js';
import { bindProgram, setProgramVisible, showProgramTab } from './program.js';
import { bindShift } from './shift.js';
import { bindStation, setStationVisible, stationChanged } from './station.js';
import { bindWorkorders } from './workorders.js';
import { bindFootage } from './footage.js';
import { bindZoneSelection } from './zoneselect.js';
import {
  can, citizenInQueue, isCitizen, on, OPEN_STATES, store, upsertCitizen, upsertIncident,
} from './store.js';
import { beep, el, flash, showDialog, toast, unlockAudio } from './ui.js';
import { bindCoverage } from './coverage.js';
import { bindHotspots } from './hotspots.js';
import { bindPtz } from './ptz.js';
import { bindTracks } from './tracks.js';
import { bindUnits, setUnitsVisible, unitsChanged } from './units.js';
import { addToWall, bindWall, renderWall, setWallVisible, wakeDocked } from './wall.js';

const VIEWS = ['map', 'wall', 'station', 'patrol', 'services', 'history', 'units', 'program'];
let feed = null;
let dispatching = null; // the `d` key's dispatch on its way

async function all(path, limit = 1000) {
  const items = [];
  for (let offset = 0; ; offset += limit) {
    const page = await api(`${path}${path.includes('?') ? '&' : '?'}limit=${limit}&offset=${offset}`);
    items.push(...page.items);
    if (items.length >= page.total || !page.items.length) return items;
  }
}

// Citizens' items still open (the queue's reports and tips, the reports turned into
// incidents and the emergencies behind open incidents), and the catalog that names
// categories and dispositions in Thai and English.
const CITIZEN_LOAD_STATES = ['new', 'acknowledged', 'info_requested', 'in_progress', 'dispatched', 'on_scene'];
const CITIZEN_PAGE = 500;
async function citizenItems(state) {
  const items = [];
  for (let offset = 0; ; offset += CITIZEN_PAGE) {
    const page = await api(`/api/v1/citizen/items?state=${state}&limit=${CITIZEN_PAGE}&offset=${offset}`);
    items.push(...page);
    if (page.length < CITIZEN_PAGE) return items;
  }
}

async function loadCitizen() {
  if (!can('citizen.read')) return;
  const [catalog, ...lists] = await Promise.all([
    fetch('/api/v1/public/catalog').then((r) => (r.ok ? r.json() : null)).catch(() => null),
    ...CITIZEN_LOAD_STATES.map(citizenItems),
  ]);
  store.catalog = catalog;
  lists.flat().forEach(upsertCitizen);
  store.citizen.forEach(drawCitizen);
}

async function loadData() {
  const [zones, assets, cameras, units, incidents] = await Promise.all([
    all('/api/v1/zones', 500), all('/api/v1/assets'), all('/api/v1/cameras'), api('/api/v1/units'),
    api(`/api/v1/incidents?${[...OPEN_STATES, 'cleared'].map((s) => `state=${s}`).join('&')}&limit=500`),
  ]);
  store.zones = zones;
  store.assets = new Map(assets.map((a) => [a.id, a]));
  store.cameras = new Map(cameras.map((c) => [c.id, c]));
  store.units = new Map(units.map((u) => [u.id, u]));
  incidents.forEach(upsertIncident);
  await loadCitizen();
  drawStatic();
  store.units.forEach(drawUnit);
  store.incidents.forEach(drawIncident);
  renderQueue();
  renderWall();
  await loadPatrol();
}

function onEntry(entry) {
  const type = entry.type;
  if (type.startsWith('incident.')) {
    const incident = entry.data;
    const fresh = upsertIncident(incident);
    drawIncident(store.incidents.get(incident.id));
    wakeDocked(store.incidents.get(incident.id));
    renderQueue();
    if (type === 'incident.created' && fresh) {
      beep(2);
      flash('new');
      markNew(incident.id);
    } else if (type === 'incident.escalated') {
      beep(3);
      flash('escalated');
      markNew(incident.id);
    }
    reloadSoon(incident.id);
    stationChanged();
    unitsChanged();
  } else if (type === 'citizen.created' || type === 'citizen.updated') {
    const item = entry.data;
    const fresh = upsertCitizen(item);
    const known = store.citizen.get(item.id);
    drawCitizen(known);
    renderQueue();
    if (type === 'citizen.created' && fresh && citizenInQueue(known)) {
      beep(1);
      flash('new');
      markNew(item.id);
    }
    reloadCitizenSoon(item.id);
    if (known.incident_id && known.incident_id === store.open) reloadSoon(store.open);
  } else if (type === 'unit.updated') {
    store.units.set(entry.data.id, entry.data);
    drawUnit(entry.data);
    const open = store.open && store.incidents.get(store.open);
    if (open && open.assigned_unit_ids.includes(entry.data.id)) reloadSoon(open.id);
    stationChanged();
    unitsChanged();
  } else if (type.startsWith('patrol.')) {
    onPatrolEntry(entry);
  } else if (type === 'homewatch') {
    onHomeWatchEntry();
  } else if (type === 'asset.command' && entry.data.requested_by !== username()) {
    const asset = store.assets.get(entry.data.asset_id);
    toast(t('speaker.by_other', { who: entry.data.requested_by, code: asset?.code || '' }), 'info');
  }
}

function setConnection(state) {
  const box = document.getElementById('conn');
  box.dataset.state = state;
  box.querySelector('span').textContent = t(`conn.${state}`);
  document.getElementById('conn-banner').hidden = state !== 'reconnecting';
  document.body.dataset.conn = state;
}

// The view tabs (the body also carries data-view, so look inside the tab list only: one
// tab selected, never the body's stale twin).
const tab = (view) => document.querySelector(`#topbar .views [data-view="${view}"]`);

function setView(name) {
  // The tabs only: <body data-view> names the view too, and comes first in the document.
  const tab = (view) => document.querySelector(`#topbar .views [data-view="${view}"]`);
  if (tab(name)?.hidden) return; // not for this role
  for (const view of VIEWS) {
    document.getElementById(`view-${view}`).hidden = view !== name;
    tab(view).setAttribute('aria-selected', String(view === name));
  }
  document.body.dataset.view = name;
  setWallVisible(name === 'wall');
  setStationVisible(name === 'station');
  setPatrolVisible(name === 'patrol');
  setHomeWatchVisible(name === 'patrol');
  setUnitsVisible(name === 'units');
  setServicesVisible(name === 'services');
  setHistoryVisible(name === 'history');
  setProgramVisible(name === 'program');
  if (name === 'map') setTimeout(() => { theMap().invalidateSize(); fitIfPending(); }, 0);
}

let saved = JSON.parse(localStorage.getItem('ssz.layers') || '{}');

// Layers from the user's saved layout: each toggled as it was saved.
function applyLayers(layers) {
  saved = { ...layers };
  localStorage.setItem('ssz.layers', JSON.stringify(saved));
  document.querySelectorAll('#layer-list input[data-layer]').forEach((box) => {
    box.checked = saved[box.dataset.layer] !== false;
    setLayer(box.dataset.layer, box.checked);
  });
}

function layersPanel() {
  const root = document.getElementById('layer-list');
  root.replaceChildren(...LAYERS.map((name) => {
    const on = saved[name] !== false;
    setLayer(name, on);
    return el('li', {}, el('label', {},
      el('input', { type: 'checkbox', 'data-layer': name, checked: on }),
      el('span', { class: `swatch ${name}` }), el('span', { 'data-i18n': `layer.${name}` }, t(`layer.${name}`))));
  }));
  root.addEventListener('change', (event) => {
    const box = event.target.closest('input[data-layer]');
    if (!box) return;
    setLayer(box.dataset.layer, box.checked);
    saved[box.dataset.layer] = box.checked;
    localStorage.setItem('ssz.layers', JSON.stringify(saved));
    emit('layout-changed');
  });
}

// A 401 that the refresh token cannot fix: ask for the password in a dialog over the page,
// so the map, the open incident and the camera wall stay exactly as they were.
function reloginDialog() {
  return new Promise((resolve) => {
    const dialog = showDialog('relogin');
    document.getElementById('relogin-user').value = username();
    const password = document.getElementById('relogin-password');
    password.value = '';
    password.focus();
    document.getElementById('relogin-error').textContent = '';
    const form = document.getElementById('relogin-form');
    form.onsubmit = async (event) => {
      event.preventDefault();
      try {
        await login(document.getElementById('relogin-user').value, password.value);
        dialog.close();
        resolve();
      } catch (err) {
        document.getElementById('relogin-error').textContent = t('login.failed');
      }
    };
  });
}

function isTyping(target) {
  return target instanceof HTMLElement && (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.isContentEditable);
}

async function onKey(event) {
  unlockAudio();
  if (document.querySelector('dialog[open]') || event.ctrlKey || event.metaKey || event.altKey) return;
  if (isTyping(event.target)) {
    if (event.key === 'Escape') event.target.blur();
    return;
  }
  const id = store.selected;
  switch (event.key) {
    case 'j': case 'ArrowDown': move(1); break;
    case 'k': case 'ArrowUp': move(-1); break;
    case 'a':
      if (id && isCitizen(id)) {
        if (can('citizen.act') && store.citizen.get(id).state === 'new') await acknowledgeCitizen(id);
      } else if (id && can('incident.act')) await acknowledge(id);
      renderQueue();
      break;
    case 'd': // one dispatch at a time: a press while one is on its way is not a second car
      if (id && !isCitizen(id) && can('incident.act') && !dispatching) {
        dispatching = dispatchFirstRecommended(id).finally(() => { dispatching = null; });
        await dispatching;
        renderQueue();
      }
      break;
    case 'Enter': if (id) await (isCitizen(id) ? openCitizen(id) : openIncident(id)); break;
    case 'Escape': if (panelOpen()) closeIncident(); else if (isCitizenOpen()) closeCitizen(); break;
    case 'r': if (!isCitizenOpen() || !focusReply()) return; break;
    case 'n': await openCall(); break;
    case '?': showDialog('help'); break;
    case '1': setView('map'); break;
    case '2': setView('wall'); break;
    case '3': setView('station'); break;
    case '4': setView('patrol'); break;
    case '5': setView('services'); break;
    case '6': setView('history'); break;
    case '7': setView('units'); break;
    case '8': setView('program'); break;
    default: return;
  }
  event.preventDefault();
}

function stations(units, me) {
  const zoneStations = new Set(store.zones.map((z) => z.station_id));
  const list = units.filter((u) => u.station_type && (me.station_ids === null || me.station_ids.includes(u.id)));
  list.sort((a, b) => Number(zoneStations.has(b.id)) - Number(zoneStations.has(a.id)) || a.code.localeCompare(b.code));
  return list;
}

function fillStations() {
  const select = document.getElementById('station-select');
  const saved = localStorage.getItem('ssz.station');
  // Several stations (a region, HQ): "all of them" first; the queue, the map and the panel
  // then show every station, each item naming its own.
  const several = store.stations.length > 1;
  select.replaceChildren(
    ...(several ? [el('option', { value: '' }, t('station.all', { n: store.stations.length }))] : []),
    ...store.stations.map((s) => el('option', { value: s.code }, currentLang() === 'en' ? s.name_en : s.name_th)));
  store.station = store.stations.some((s) => s.code === saved) ? saved
    : (several && saved === '' ? null : store.stations[0]?.code || null);
  select.value = store.station || '';
  document.body.dataset.allStations = String(!store.station);
  select.onchange = () => {
    store.station = select.value || null;
    localStorage.setItem('ssz.station', select.value);
    document.body.dataset.allStations = String(!store.station);
    redrawChosen();
    renderQueue();
    stationChanged();
    renderPatrol();
    unitsChanged();
  };
}

// Who is signed in, and the role in the current language (name on top, role under it).
function showUser() {
  const me = store.me;
  if (!me) return;
  const role = t(`role.${me.role}`);
  const box = document.getElementById('user');
  box.replaceChildren(el('span', { class: 'user-name' }, me.display_name), el('span', { class: 'user-role' }, role));
  box.title = `${me.display_name} · ${role}`;
  // A view-only role is not told about keys that act.
  document.querySelector('#queue .hint').dataset.i18n = can('incident.act') ? 'queue.hint' : 'queue.hint_view';
  apply(document.getElementById('queue'));
}

function tickClock() {
  document.getElementById('clock').textContent = formatDateTime(new Date(), { seconds: true });
}

async function start() {
  await loadLang();
  if (!hasRefreshToken()) {
    location.replace('/login');
    return;
  }
  try {
    await refresh();
  } catch {
    location.replace('/login');
    return;
  }
  setReloginHandler(reloginDialog);
  document.getElementById('relogin').addEventListener('cancel', (event) => event.preventDefault());
  initMap(document.getElementById('map'), document.body.dataset.tileUrl || '',
    document.body.dataset.basemapUrl || '');
  layersPanel();
  fitLayers();
  bindQueue();
  bindIncident();
  bindCitizen();
  bindWall();
  bindSpeaker();
  bindTracks();
  bindHotspots();
  bindCoverage();
  bindPtz();
  bindPatrol();
  bindHomeWatch();
  bindServices();
  bindUnits();
  bindStation();
  bindAnnouncements();
  const popout = bindLayout();
  bindWorkorders();
  bindFootage();
  bindZoneSelection();
  bindHistory();
  bindProgram();
  bindPolls();
  bindShift();
  on('speaker', openSpeaker);
  on('panel', () => renderQueue());
  on('citizen', (item) => { drawCitizen(item); renderQueue(); });
  document.addEventListener('keydown', onKey);
  document.addEventListener('pointerdown', unlockAudio);
  document.addEventListener('click', (event) => {
    const button = event.target.closest('.leaflet-popup button[data-action]');
    if (!button) return;
    if (button.dataset.action === 'wall-add') addToWall(button.dataset.id);
    if (button.dataset.action === 'speaker') openSpeaker(button.dataset.id);
  });
  document.querySelectorAll('#topbar .views [data-view]').forEach((b) => b.addEventListener('click', () => setView(b.dataset.view)));
  document.getElementById('lang-switch').addEventListener('click', () => loadLang(currentLang() === 'th' ? 'en' : 'th'));
  document.getElementById('help-button').addEventListener('click', () => showDialog('help'));
  document.getElementById('logout').addEventListener('click', () => { logout(); location.replace('/login'); });
  onLangChange(() => {
    apply(document);
    showUser();
    renderQueue();
    fillStations();
    renderWall();
    stationChanged();
    tickClock();
    setConnection(feed?.current || 'connecting');
    if (store.open) reloadSoon(store.open);
    store.citizen.forEach(drawCitizen);
    rerenderCitizen();
    rerenderPatrol();
    renderHomeWatch();
    renderServices();
    renderHistory();
  });

  feed = new Feed({ onEntry, onState: setConnection });
  onTokens(() => feed && feed.renew());
  await feed.start();
  const [me, units] = await Promise.all([api('/api/v1/auth/me'), api('/api/v1/org-units')]);
  store.me = me;
  showServicesTab();
  bindCalls();
  bindLineLink();
  showHistoryTab();
  showProgramTab();
  showUser();
  await loadData();
  store.stations = stations(units, me);
  fillStations();
  redrawChosen(); // the map and the queue follow the station chosen last time
  renderQueue();
  renderHistory(); // its station filter lists the stations, known only now
  await loadLayout(applyLayers).catch(() => {}); // the wall and layers saved for this user
  // The map first, unless a view was already chosen (a key pressed while the data loaded):
  // the user's choice is not taken back.
  setView(popout || document.body.dataset.view || 'map');
  tickClock();
  setInterval(tickClock, 1000);
  setInterval(tickAges, 5000);
  startPatrolRefresh();
  document.body.dataset.ready = 'true';
}

start().catch((err) => {
  console.error(err);
  toast(`${t('error.start')}: ${err.message}`, 'error');
});
