// The Services view (บริการ, key 5): the station services' desk screens for the chosen
// station, one at a time: lost-document reports, legal consultation, volunteer posts. Each
// part is shown only to those whose role may use it. The feed carries no events for these
// (home watch, which it does carry, is on the Patrol view), so a part reloads when the view
// opens, when the station or part changes, after every action, and each minute while shown
// unless the person is typing in it.
import { t } from './i18n.js';
import { el } from './ui.js';
import { busyTyping, refused } from './services-ui.js';
import * as lostdocs from './services-lostdocs.js';
import * as consult from './services-consult.js';
import * as posts from './services-posts.js';

const PARTS = {
  lostdocs: { allowed: lostdocs.allowed, load: lostdocs.loadLostdocs, render: lostdocs.renderLostdocs },
  consult: { allowed: consult.allowed, load: consult.loadConsult, render: consult.renderConsult },
  posts: { allowed: posts.allowed, load: posts.loadPosts, render: posts.renderPosts },
};
const REFRESH_MS = 60000;
let visible = false;
let part = localStorage.getItem('ssz.services') || 'lostdocs';
let timer = null;
let loading = null;
let rounds = 0; // loads started: the newest one is the one that draws

export const servicesProbe = { part: () => part, lostdocs: lostdocs.lostdocsProbe, consult: consult.consultProbe, posts: posts.postsProbe };

const root = () => document.getElementById('services-body');
const allowedParts = () => Object.keys(PARTS).filter((name) => PARTS[name].allowed());

// Whether the signed-in user has anything here at all (else the tab is hidden).
export function hasServices() { return allowedParts().length > 0; }

export function renderServices() {
  const body = root();
  if (!visible || !body) return;
  const names = allowedParts();
  if (!names.includes(part)) part = names[0];
  document.querySelectorAll('#services-parts [data-part]').forEach((b) => {
    b.hidden = !names.includes(b.dataset.part);
    b.setAttribute('aria-pressed', String(b.dataset.part === part));
  });
  body.dataset.part = part || '';
  body.replaceChildren(part ? PARTS[part].render() : el('p', { class: 'muted' }, t('svc.nothing')));
}

export async function loadServices() {
  const names = allowedParts();
  if (!names.includes(part)) part = names[0];
  if (!visible || !part) return renderServices();
  const body = root();
  body.setAttribute('aria-busy', 'true');
  // Loads overlap (the view opens, then a part is picked at once): only the newest one
  // draws and ends the busy state, so an older answer never redraws over what the person
  // has begun to type after the view said it was ready.
  const mine = ++rounds;
  loading = PARTS[part].load(renderServices);
  try {
    await loading;
  } catch (err) {
    if (mine === rounds) refused(err);
  }
  if (mine !== rounds) return undefined;
  loading = null;
  body.removeAttribute('aria-busy');
  return renderServices();
}

function choose(name) {
  part = name;
  localStorage.setItem('ssz.services', name);
  renderServices();
  loadServices();
}

export function setServicesVisible(on) {
  visible = on;
  clearInterval(timer);
  if (!on) return;
  renderServices();
  loadServices();
  timer = setInterval(() => {
    const body = root();
    if (loading || busyTyping(body) || body.querySelector('.post-hours-editor, dialog[open]')) return;
    loadServices();
  }, REFRESH_MS);
}

// Once the user is known: the tab only for those with a part to use.
export function showServicesTab() {
  document.getElementById('services-tab').hidden = !hasServices();
}

export function bindServices() {
  document.querySelectorAll('#services-parts [data-part]').forEach((b) => b.addEventListener('click', () => choose(b.dataset.part)));
  document.getElementById('services-refresh').addEventListener('click', () => loadServices());
  // After the console's own handler has taken the new station (it may run after this one).
  document.getElementById('station-select').addEventListener('change', () => setTimeout(() => { if (visible) loadServices(); }, 0));
}
