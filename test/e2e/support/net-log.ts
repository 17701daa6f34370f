// Reads a Chromium NetLog (--log-net-log) and lists every URL request the browser started, from
// every context: pages, content scripts, the extension's service worker and offscreen document,
// and the browser itself. Requests the browser makes for its own services (sign-in, autofill,
// updates, spell-check dictionaries) carry no initiating origin ("not an origin"); everything a
// page or the extension asks for carries its origin.
import { readFile } from 'node:fs/promises';

export interface NetRequest {
  url: string;
  initiator: string;
}

export interface NetLogSummary {
  /** Every URL request started, deduplicated, in order. */
  requests: NetRequest[];
  /** Requests from a page or the extension to anywhere but this machine: must be none. */
  leavingFromPagesOrExtension: NetRequest[];
  /** The browser's own background requests off the machine (not Attune's doing; all blocked). */
  leavingFromBrowserItself: NetRequest[];
}

const LOCAL_HOST = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\])$/i;
const BROWSER_ITSELF = 'not an origin';

interface NetLogEvent {
  type: number;
  params?: { url?: unknown; initiator?: unknown };
}

interface NetLog {
  constants: { logEventTypes: Record<string, number> };
  events: NetLogEvent[];
}

/** Chromium may stop before it closes the JSON; tolerate a missing tail. */
function parseNetLog(text: string): NetLog {
  try {
    return JSON.parse(text) as NetLog;
  } catch {
    return JSON.parse(text.trimEnd().replace(/,$/, '') + ']}') as NetLog;
  }
}

/** True for http(s)/ws(s) URLs whose host is not this machine. */
export function leavesTheMachine(url: string): boolean {
  const parsed = new URL(url);
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) return false; // chrome-extension:, data:, blob:
  return !LOCAL_HOST.test(parsed.hostname);
}

export async function summariseNetLog(path: string): Promise<NetLogSummary> {
  const log = parseNetLog(await readFile(path, 'utf8'));
  const startJob = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  const seen = new Set<string>();
  const requests: NetRequest[] = [];
  for (const event of log.events) {
    if (event.type !== startJob || typeof event.params?.url !== 'string') continue;
    const request = { url: event.params.url, initiator: String(event.params.initiator ?? BROWSER_ITSELF) };
    const key = `${request.initiator} ${request.url}`;
    if (!seen.has(key)) {
      seen.add(key);
      requests.push(request);
    }
  }
  const leaving = requests.filter((r) => leavesTheMachine(r.url));
  return {
    requests,
    leavingFromPagesOrExtension: leaving.filter((r) => r.initiator !== BROWSER_ITSELF),
    leavingFromBrowserItself: leaving.filter((r) => r.initiator === BROWSER_ITSELF),
  };
}
