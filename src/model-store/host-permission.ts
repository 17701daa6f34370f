// Host access for downloads from a URL the user types. The manifest lists http(s) origins only
// under optional_host_permissions; nothing is granted up front.
//
// Servers that allow cross-origin reads (CORS), such as Hugging Face and its CDN, need no
// permission at all, so we probe first and only ask the browser for the one origin when the
// probe is refused. The request must happen while the Download click's user activation lasts,
// so callers run this first, before any other slow work.
import { browser } from 'wxt/browser';
import { HostPermissionDeniedError } from './errors';

export interface PermissionsApi {
  contains(permissions: { origins: string[] }): Promise<boolean>;
  request(permissions: { origins: string[] }): Promise<boolean>;
}

export interface DownloadAccessDeps {
  /** null outside an extension (the PWA): CORS alone decides there. */
  permissions: PermissionsApi | null;
  fetch: typeof fetch;
}

/** The match pattern for a URL's origin, e.g. https://huggingface.co/* */
export function originPattern(url: string): string {
  const { protocol, hostname } = new URL(url);
  return `${protocol}//${hostname}/*`;
}

/** Origins whose CORS probe failed in this page: the next click asks straight away. */
const needsPermission = new Set<string>();

async function corsAllows(probeUrl: string, fetchImpl: typeof fetch): Promise<boolean> {
  try {
    const response = await fetchImpl(probeUrl, { credentials: 'omit' });
    await response.body?.cancel();
    return true; // any readable answer, even 404, means the server allows cross-origin reads
  } catch {
    return false; // CORS refusal (or offline): only host permission can help with the former
  }
}

/**
 * Makes sure `probeUrl` (the model's config.json) can be fetched, asking for host permission for
 * its origin only when the server does not allow cross-origin reads.
 * Returns how access was obtained, for logging and tests.
 */
export async function ensureDownloadAccess(
  probeUrl: string,
  deps: DownloadAccessDeps,
): Promise<'granted' | 'cors' | 'requested'> {
  const origins = [originPattern(probeUrl)];
  const { permissions } = deps;
  if (!permissions) return 'cors';
  if (await permissions.contains({ origins })) return 'granted';
  if (!needsPermission.has(origins[0]!) && (await corsAllows(probeUrl, deps.fetch))) return 'cors';
  needsPermission.add(origins[0]!);
  let granted = false;
  try {
    granted = await permissions.request({ origins });
  } catch {
    // "must be called during a user gesture": the activation expired while probing.
  }
  if (!granted) throw new HostPermissionDeniedError(new URL(probeUrl).origin);
  needsPermission.delete(origins[0]!);
  return 'requested';
}

/** The real browser APIs, for extension pages. */
export function browserDownloadAccess(): DownloadAccessDeps {
  // Optional chaining on purpose: the PWA build has no extension APIs.
  const api = (browser as { permissions?: PermissionsApi }).permissions;
  const permissions = typeof api?.request === 'function' ? api : null;
  return { permissions, fetch: (input, init) => fetch(input, init) };
}
