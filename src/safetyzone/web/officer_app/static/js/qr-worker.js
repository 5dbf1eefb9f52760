// Decodes camera frames off the page's thread, so the preview stays smooth on a cheap phone.
// jsQR comes from npm, served by the app (/vendor/jsqr), loaded when the scanner first opens.
importScripts('/vendor/jsqr/jsQR.js');

self.addEventListener('message', (event) => {
  const { width, height, data } = event.data;
  let text = null;
  try {
    const found = self.jsQR(new Uint8ClampedArray(data), width, height, { inversionAttempts: 'attemptBoth' });
    text = found ? found.data : null;
  } catch {
    text = null;
  }
  self.postMessage({ text });
});
