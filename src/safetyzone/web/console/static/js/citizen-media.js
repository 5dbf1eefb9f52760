// A citizen's photos and voice note in the panel. The media routes need the user's token, so
// each file is fetched into a blob: URL (img-src and media-src admit blob:, nothing else
// foreign); thumbnails first, the full size on a click, in a dialog that steps with the arrows.
// Every URL made for an item is revoked when the panel moves to another item or closes.
import { mediaUrl } from './citizen-actions.js';
import { t } from './i18n.js';
import { el, showDialog } from './ui.js';

const urls = new Map(); // `${mediaId}:${thumb|full}` -> Promise<blob: URL>
let current = null; // the item whose media the cache holds
let viewing = null; // { item, photos, index } in the dialog

function cached(itemId, mediaId, thumb) {
  const key = `${mediaId}:${thumb ? 'thumb' : 'full'}`;
  if (!urls.has(key)) urls.set(key, mediaUrl(itemId, mediaId, { thumb }));
  return urls.get(key);
}

export function releaseMedia() {
  for (const pending of urls.values()) pending.then((url) => URL.revokeObjectURL(url), () => {});
  urls.clear();
  current = null;
  viewing = null;
}

function own(item) {
  if (current !== item.id) releaseMedia();
  current = item.id;
}

function fill(img, promise, holder) {
  promise.then((url) => {
    img.src = url;
    holder.dataset.state = 'loaded';
  }, () => {
    holder.dataset.state = 'failed';
    holder.title = t('citizen.photo_failed');
  });
}

export function photoStrip(item) {
  own(item);
  const photos = item.media.filter((m) => m.kind === 'photo');
  if (!photos.length) return el('p', { class: 'muted' }, t('citizen.no_photos'));
  return el('div', { class: 'cz-photos' }, photos.map((m, index) => {
    const img = el('img', { alt: t('citizen.photo_alt', { n: index + 1 }) });
    const button = el('button', { type: 'button', class: 'cz-photo', 'data-act': 'photo', 'data-media': m.id,
      'data-state': 'loading', 'aria-label': `${t('citizen.photo_open')} ${index + 1}` }, img);
    fill(img, cached(item.id, m.id, true), button);
    return button;
  }));
}

export function voiceNote(item) {
  own(item);
  const voice = item.media.find((m) => m.kind === 'voice');
  if (!voice) return null;
  const audio = el('audio', { controls: true, preload: 'none', 'aria-label': t('citizen.voice') });
  cached(item.id, voice.id, false).then((url) => { audio.src = url; }, () => {
    audio.replaceWith(el('p', { class: 'error' }, t('citizen.photo_failed')));
  });
  return el('section', { class: 'inc-section', id: 'cz-voice' }, el('h3', { text: t('citizen.voice') }), audio);
}

function showPhoto() {
  const { item, photos, index } = viewing;
  const img = document.getElementById('photo-img');
  const box = document.getElementById('photo');
  img.removeAttribute('src');
  img.alt = t('citizen.photo_alt', { n: index + 1 });
  box.dataset.state = 'loading';
  document.getElementById('photo-caption').textContent = t('citizen.photo_of', { n: index + 1, total: photos.length });
  const media = photos[index].id;
  cached(item.id, media, false).then((url) => {
    if (viewing?.photos[viewing.index]?.id !== media) return;
    img.src = url;
    box.dataset.state = 'loaded';
  }, () => { box.dataset.state = 'failed'; });
}

// The full-size photo: Esc closes (the dialog's own), arrow keys step through the item's photos.
export function openPhoto(item, mediaId) {
  const photos = item.media.filter((m) => m.kind === 'photo');
  const index = Math.max(0, photos.findIndex((m) => m.id === mediaId));
  viewing = { item, photos, index };
  showDialog('photo');
  showPhoto();
}

export function bindPhotoDialog() {
  const box = document.getElementById('photo');
  const step = (by) => {
    if (!viewing || viewing.photos.length < 2) return;
    viewing.index = (viewing.index + by + viewing.photos.length) % viewing.photos.length;
    showPhoto();
  };
  box.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowRight') step(1);
    else if (event.key === 'ArrowLeft') step(-1);
    else return;
    event.preventDefault();
  });
  document.getElementById('photo-prev').addEventListener('click', () => step(-1));
  document.getElementById('photo-next').addEventListener('click', () => step(1));
}
