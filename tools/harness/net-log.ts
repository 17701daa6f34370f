// Reads a Chromium NetLog (--log-net-log) and counts everything the browser did on the network,
// from every context: pages, content scripts, the extension's service worker and offscreen
// document, a web app's workers, and the browser's own services. Two views of the same run:
//
// - URL requests: every request the network stack started (URL_REQUEST_START_JOB), one entry per
//   request, with its initiating origin. The browser's own services carry "not an origin".
// - Sockets: every TCP connection attempt and every UDP socket, with the address it was aimed at.
//   This catches traffic that is not a URL request (WebRTC, QUIC, a raw IP) as well.
//
// "Leaving the machine" means a URL whose host is not loopback, a TCP attempt to a non-loopback
// address, or a UDP datagram sent to one. A UDP socket that is connected but sends nothing is a
// route lookup (Chromium asks the kernel whether a global IPv6 route exists before it resolves a
// name): connect() on a UDP socket transmits no packet, so those are listed apart.
import { readFile } from 'node:fs/promises';

export interface NetRequest {
  url: string;
  initiator: string;
}

export interface SocketUse {
  protocol: 'tcp' | 'udp';
  address: string;
  /** Bytes sent on the socket, as the log reports them (UDP only; TCP counts once connected). */
  bytesSent: number;
}

export interface NetLogSummary {
  /** Every URL request started, in order (not deduplicated: each attempt counts). */
  requests: NetRequest[];
  /** Requests, of any initiator, to anywhere but this machine: must be none. */
  leaving: NetRequest[];
  /** The part of `leaving` that a page, content script, worker or the extension started. */
  leavingFromPagesOrExtension: NetRequest[];
  /** The part of `leaving` that the browser started for its own services ("not an origin"). */
  leavingFromBrowserItself: NetRequest[];
  /** Every TCP connection attempt and UDP socket. */
  sockets: SocketUse[];
  /** TCP attempts to, or UDP datagrams sent to, a non-loopback address: must be none. */
  socketsLeaving: SocketUse[];
  /** UDP sockets connected to a non-loopback address that sent nothing (route lookups). */
  routeLookups: SocketUse[];
  /** The command line the browser really ran with (from the log's own header). */
  commandLine: string;
}

const LOCAL_HOST = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\]|::1)$/i;
export const BROWSER_ITSELF = 'not an origin';

interface NetLogEvent {
  type: number;
  source: { id: number };
  params?: Record<string, unknown>;
}

interface NetLog {
  constants: { logEventTypes: Record<string, number>; clientInfo?: { command_line?: string } };
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

/** "127.0.0.1:443" / "[::1]:80" → is the host part loopback? */
export function isLoopbackAddress(address: string): boolean {
  const host = address.replace(/:\d+$/, '');
  return LOCAL_HOST.test(host);
}

function collectRequests(log: NetLog): NetRequest[] {
  const startJob = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  const requests: NetRequest[] = [];
  for (const event of log.events) {
    // The job's end event carries only net_error; the begin event carries the URL.
    if (event.type !== startJob || typeof event.params?.url !== 'string') continue;
    requests.push({ url: event.params.url, initiator: String(event.params.initiator ?? BROWSER_ITSELF) });
  }
  return requests;
}

function collectSockets(log: NetLog): SocketUse[] {
  const types = log.constants.logEventTypes;
  const tcpAttempts: SocketUse[] = []; // one per attempt: each sends a SYN
  const udpBySource = new Map<number, SocketUse>();
  for (const event of log.events) {
    const address = event.params?.address;
    if (event.type === types.TCP_CONNECT_ATTEMPT && typeof address === 'string') {
      tcpAttempts.push({ protocol: 'tcp', address, bytesSent: 0 });
    } else if (event.type === types.UDP_CONNECT && typeof address === 'string') {
      udpBySource.set(event.source.id, { protocol: 'udp', address, bytesSent: 0 });
    } else if (event.type === types.UDP_BYTES_SENT) {
      const count = Number(event.params?.byte_count ?? 1);
      const socket = udpBySource.get(event.source.id);
      if (socket) socket.bytesSent += count;
      // sendto() on an unconnected socket names its destination in the event itself.
      else
        udpBySource.set(event.source.id, {
          protocol: 'udp',
          address: String(address ?? 'unknown'),
          bytesSent: count,
        });
    }
  }
  return [...tcpAttempts, ...udpBySource.values()];
}

export async function summariseNetLog(path: string): Promise<NetLogSummary> {
  const log = parseNetLog(await readFile(path, 'utf8'));
  const requests = collectRequests(log);
  const leaving = requests.filter((r) => leavesTheMachine(r.url));
  const sockets = collectSockets(log);
  const offMachine = sockets.filter((s) => !isLoopbackAddress(s.address));
  return {
    requests,
    leaving,
    leavingFromPagesOrExtension: leaving.filter((r) => r.initiator !== BROWSER_ITSELF),
    leavingFromBrowserItself: leaving.filter((r) => r.initiator === BROWSER_ITSELF),
    sockets,
    socketsLeaving: offMachine.filter((s) => s.protocol === 'tcp' || s.bytesSent > 0),
    routeLookups: offMachine.filter((s) => s.protocol === 'udp' && s.bytesSent === 0),
    commandLine: log.constants.clientInfo?.command_line ?? '',
  };
}

/**
 * Chromium honours only the last `--enable-features` / `--disable-features` switch. Returns each
 * switch's values in order, so a test can check the effective (last) one kept every feature an
 * earlier one asked for.
 */
export function featureSwitches(
  commandLine: string,
  name: 'enable-features' | 'disable-features',
): string[][] {
  const pattern = new RegExp(`(?:^|\\s)--${name}=(\\S*)`, 'g');
  return [...commandLine.matchAll(pattern)].map((match) => match[1]!.split(',').filter(Boolean));
}
