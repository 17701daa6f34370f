// Which tabs the capture form can run in. Browsers forbid extensions from scripting their own
// pages, other extensions, the web store and (unless the person allows it) local files.

export type IneligibleReason = 'browser-page' | 'web-store' | 'file' | 'no-page';

export type Eligibility = { ok: true } | { ok: false; reason: IneligibleReason };

const WEB_STORE_HOSTS = ['chromewebstore.google.com', 'microsoftedge.microsoft.com', 'addons.mozilla.org'];

export function captureEligibility(url: string | undefined): Eligibility {
  if (!url) return { ok: false, reason: 'no-page' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'no-page' };
  }
  if (parsed.protocol === 'file:') return { ok: false, reason: 'file' };
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, reason: 'browser-page' };
  const isOldStore = parsed.host === 'chrome.google.com' && parsed.pathname.startsWith('/webstore');
  if (isOldStore || WEB_STORE_HOSTS.includes(parsed.host)) return { ok: false, reason: 'web-store' };
  return { ok: true };
}
