// Photos and voice notes go up one by one after the ticket exists, with its caller key.
import { call, errorText } from './api.js';
import { catalog } from './catalog.js';
import { t } from '/pwa/static/js/i18n.js';

const IMAGE = /^image\/(jpeg|png|webp|heic|heif)$/;

export function limits() {
  return { max_photos: 5, max_photo_bytes: 10 * 1024 * 1024, max_voice_bytes: 5 * 1024 * 1024, ...(catalog()?.limits || {}) };
}

// The reason a picked file cannot be sent, or null.
export function refuse(file) {
  if (!IMAGE.test(file.type)) return t('report.photos.not_image', { name: file.name });
  const { max_photo_bytes: max } = limits();
  if (file.size > max) return t('report.photos.too_big', { name: file.name, mb: Math.floor(max / 1048576) });
  return null;
}

export async function upload(code, key, file, name) {
  const form = new FormData();
  form.append('file', file, name || file.name || 'file');
  return call(`/tickets/${encodeURIComponent(code)}/media`, { method: 'POST', form, key, timeout: 120000 });
}

// Send files in order; report progress; return the names that failed with the reason.
export async function uploadAll(code, key, files, progress = () => {}) {
  const failed = [];
  for (const [i, file] of files.entries()) {
    progress(t('upload.progress', { i: i + 1, n: files.length }));
    try {
      await upload(code, key, file);
    } catch (err) {
      failed.push(`${file.name}: ${errorText(err)}`);
    }
  }
  return failed;
}

// A voice note of at most a minute, recorded with MediaRecorder.
export class VoiceNote {
  static supported() { return Boolean(window.MediaRecorder && navigator.mediaDevices?.getUserMedia); }

  async start(onTick) {
    this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    this.chunks = [];
    this.recorder = new MediaRecorder(this.stream);
    this.recorder.addEventListener('dataavailable', (e) => { if (e.data.size) this.chunks.push(e.data); });
    this.done = new Promise((resolve) => this.recorder.addEventListener('stop', resolve));
    this.recorder.start();
    this.started = Date.now();
    this.ticker = setInterval(() => {
      const s = Math.round((Date.now() - this.started) / 1000);
      onTick(s);
      if (s >= 60) this.stop();
    }, 1000);
  }

  async stop() {
    clearInterval(this.ticker);
    if (this.recorder.state !== 'inactive') this.recorder.stop();
    await this.done;
    this.stream.getTracks().forEach((track) => track.stop());
    const type = (this.recorder.mimeType || 'audio/webm').split(';')[0];
    return new File(this.chunks, `voice.${type.split('/')[1] || 'webm'}`, { type });
  }
}
