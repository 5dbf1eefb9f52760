// Photos from the phone's camera: made smaller (a scene photo on a slow link, not a poster)
// and without EXIF (the canvas drops it; the server strips it again) before they are queued.
import { el } from '/pwa/static/js/dom.js';

export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;
const PHOTO_EDGE = 1920; // long edge sent
export const PHOTO_TYPES = /^image\/(jpeg|png|webp)$/;

// A smaller JPEG with no EXIF (the canvas drops it); the original when the phone cannot
// decode it (the server refuses what it cannot read, and says so).
export async function shrink(file) {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const scale = Math.min(1, PHOTO_EDGE / Math.max(bitmap.width, bitmap.height));
    const canvas = el('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close?.();
    const blob = await new Promise((resolve) => { canvas.toBlob(resolve, 'image/jpeg', 0.82); });
    if (blob && blob.size < file.size) return new File([blob], 'photo.jpg', { type: 'image/jpeg' });
  } catch { /* not decodable here */ }
  return file;
}
