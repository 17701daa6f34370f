// Downloads from a typed URL need host access to that origin. The manifest only lists it under
// optional_host_permissions, and we ask at the moment of download, for that one origin.
import { browser } from 'wxt/browser';
import { HostPermissionDeniedError } from './errors';

/** The match pattern for a URL's origin, e.g. https://huggingface.co/* */
export function originPattern(url: string): string {
  const { protocol, hostname } = new URL(url);
  return `${protocol}//${hostname}/*`;
}

/**
 * Asks for access to the URL's origin unless already granted. Must be called straight from a
 * user gesture (the Download click), before any other await, or the browser refuses to prompt.
 */
export async function ensureHostPermission(url: string): Promise<void> {
  const origins = [originPattern(url)];
  if (!browser.permissions?.request) return; // not an extension page (PWA): CORS alone decides
  if (await browser.permissions.contains({ origins })) return;
  if (!(await browser.permissions.request({ origins }))) throw new HostPermissionDeniedError(new URL(url).origin);
}
