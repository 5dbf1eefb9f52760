// Fitting the console to its screen. On a laptop (1366x768) the layers box starts folded, so
// it does not cover a third of the map; on a wall screen it is open. Once the person opens
// or folds it, their choice stays for this page.
const OPEN_FROM = { width: 900, height: 800 }; // the map's size in CSS pixels

export function fitLayers() {
  const box = document.getElementById('layers');
  const view = document.getElementById('view-map');
  let chosen = false;
  box.querySelector('summary').addEventListener('click', () => { chosen = true; });
  const fit = () => {
    if (chosen || view.hidden) return;
    box.open = view.clientWidth >= OPEN_FROM.width && view.clientHeight >= OPEN_FROM.height;
  };
  new ResizeObserver(fit).observe(view);
  fit();
}
