// Files the API makes (an incident's PDF report, CSV exports) come with the operator's
// token, so they cannot be plain links: fetched, then handed to the browser as a download.
import { api, ApiError } from './session.js';
import { el } from './ui.js';

export async function downloadFile(path, name) {
  const response = await api(path, { raw: true });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
  const url = URL.createObjectURL(await response.blob());
  const link = el('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
