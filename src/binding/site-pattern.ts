// Site patterns that bind an adapter to the pages it was made for. The syntax is small on
// purpose, so a person can read a pattern and know what it matches:
//
//   [scheme://]host[:port][/path]
//
//   scheme  `http` or `https`; absent: both.
//   host    a host name (`docs.python.org`), an IP address (`127.0.0.1`, `[::1]`), or `*.` and a
//           host name (`*.example.com`: example.com itself and every subdomain of it). A `*`
//           anywhere else, or alone, is refused (a binding to every site is no binding).
//           International names are stored as the browser writes them (punycode: `bücher.de`
//           becomes `xn--bcher-kva.de`); upper case is lowered.
//   port    absent: any port; given: only that port (the scheme's default port counts as given:
//           `https://example.com:443` is `https://example.com`'s port).
//   path    absent, `/` or `/*`: every path (a site, not its home page); `/wiki/*`: /wiki and everything under /wiki/;
//           `/about`: that path only. Query strings and fragments are never part of a pattern.
//
// The one-line errors name the pattern and what is wrong with it (catalogue key
// `error.site-pattern.<problem>`).
import { AttuneError } from '../errors/attune-error';

export const MAX_SITE_PATTERN_CHARS = 300;

export interface SitePattern {
  /** The pattern as it is stored and shown: normalised (lower case, punycode, no default path). */
  source: string;
  scheme: 'http' | 'https' | null;
  /** The host without `*.`: `example.com` for `*.example.com`. */
  host: string;
  /** `*.host`: the host and its subdomains. */
  subdomains: boolean;
  /** A port number as text, or null: any port. */
  port: string | null;
  /** Path to match: a prefix when `pathPrefix`, else exact; null: every path. */
  path: string | null;
  pathPrefix: boolean;
}

export type SitePatternProblem =
  | 'empty'
  | 'too-long'
  | 'spaces'
  | 'scheme'
  | 'wildcard'
  | 'host'
  | 'port'
  | 'path'
  | 'query';

/** A pattern that cannot be read; the message says which and why, on one line. */
export class SitePatternError extends AttuneError {
  constructor(pattern: string, problem: SitePatternProblem) {
    super(`error.site-pattern.${problem}`, { pattern: pattern.slice(0, 80), max: MAX_SITE_PATTERN_CHARS });
  }
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** Parses and normalises one pattern, or throws a SitePatternError. */
export function parseSitePattern(input: string): SitePattern {
  const text = input.trim();
  const fail = (problem: SitePatternProblem): never => {
    throw new SitePatternError(text, problem);
  };
  if (text === '') fail('empty');
  if (text.length > MAX_SITE_PATTERN_CHARS) fail('too-long');
  if (/\s/.test(text)) fail('spaces');
  let rest = text;
  let scheme: SitePattern['scheme'] = null;
  const schemeMatch = SCHEME.exec(rest);
  if (schemeMatch) {
    const name = schemeMatch[1]!.toLowerCase();
    if (name !== 'http' && name !== 'https') fail('scheme');
    scheme = name as 'http' | 'https';
    rest = rest.slice(schemeMatch[0].length);
  } else if (rest.includes('://')) fail('scheme');
  if (/[?#]/.test(rest)) fail('query');
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const rawPath = slash === -1 ? '' : rest.slice(slash);
  if (authority.includes('@')) fail('host');

  // The port follows the last colon, or the `]` of an IPv6 address.
  const bracketed = authority.startsWith('[');
  const colon = bracketed ? (authority.includes(']:') ? authority.indexOf(']:') + 1 : -1) : authority.lastIndexOf(':');
  const hostPart = colon === -1 ? authority : authority.slice(0, colon);
  let port: string | null = null;
  if (colon !== -1) {
    const digits = authority.slice(colon + 1);
    if (!/^\d{1,5}$/.test(digits) || Number(digits) < 1 || Number(digits) > 65_535) fail('port');
    port = String(Number(digits));
  }

  const subdomains = hostPart.startsWith('*.');
  const bareHost = subdomains ? hostPart.slice(2) : hostPart;
  if (bareHost.includes('*') || hostPart === '*') fail('wildcard');
  const host = normalisedHost(bareHost) ?? fail('host');
  // `*.` before an address would match nothing a browser shows.
  // and before a single label (`*.com`) would bind a whole top-level domain.
  if (subdomains && (host.startsWith('[') || /^\d+(\.\d+){3}$/.test(host) || !host.includes('.'))) {
    fail('wildcard');
  }

  // The scheme's own default port is the same page as no port at all.
  if (port !== null && scheme !== null && port === (scheme === 'https' ? '443' : '80')) port = null;

  let path: string | null = null;
  let pathPrefix = false;
  if (rawPath !== '' && rawPath !== '/' && rawPath !== '/*') {
    const star = rawPath.indexOf('*');
    if (star !== -1 && star !== rawPath.length - 1) fail('wildcard');
    pathPrefix = star !== -1;
    const literal = pathPrefix ? rawPath.slice(0, -1) : rawPath;
    if (pathPrefix && !literal.endsWith('/')) fail('path');
    const normalised = normalisedPath(literal) ?? fail('path');
    if (normalised === '/' && pathPrefix) path = null;
    else path = normalised;
  }
  const source =
    (scheme ? `${scheme}://` : '') +
    (subdomains ? '*.' : '') +
    host +
    (port ? `:${port}` : '') +
    (path === null ? '' : pathPrefix ? `${path}*` : path);
  return { source, scheme, host, subdomains, port, path, pathPrefix };
}

/** The host as a URL writes it (lower case, punycode, canonical IPv4), or null if it is not one. */
function normalisedHost(host: string): string | null {
  if (host === '' || host.length > 253) return null;
  try {
    const url = new URL(`http://${host}/`);
    // The URL parser accepts things that are no host one could visit by name; `hostname` must
    // come back as a plain name or address with nothing else attached.
    if (url.port !== '' || url.username !== '' || url.pathname !== '/') return null;
    const hostname = url.hostname;
    if (hostname === '' || hostname.endsWith('.') || hostname.includes('..')) return null;
    if (!hostname.startsWith('[') && !/^[a-z0-9.-]+$/.test(hostname)) return null;
    if (hostname.split('.').some((label) => label.startsWith('-') || label.endsWith('-') || label.length > 63)) {
      return null;
    }
    return hostname;
  } catch {
    return null;
  }
}

/** The path as a URL writes it (percent-encoded), or null. */
function normalisedPath(path: string): string | null {
  try {
    const url = new URL(`http://example.invalid${path}`);
    return url.pathname;
  } catch {
    return null;
  }
}

/** The parts of a page address a pattern is matched against. Null for anything but http(s). */
export function siteOf(url: string): URL | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : null;
  } catch {
    return null;
  }
}

/** Does `pattern` match the page at `url`? */
export function matchesSite(pattern: SitePattern, url: URL): boolean {
  const scheme = url.protocol.slice(0, -1);
  if (pattern.scheme !== null && pattern.scheme !== scheme) return false;
  const host = url.hostname;
  const hostMatches = pattern.subdomains
    ? host === pattern.host || host.endsWith(`.${pattern.host}`)
    : host === pattern.host;
  if (!hostMatches) return false;
  if (pattern.port !== null) {
    const port = url.port === '' ? (scheme === 'https' ? '443' : '80') : url.port;
    if (port !== pattern.port) return false;
  }
  if (pattern.path === null) return true;
  if (!pattern.pathPrefix) return url.pathname === pattern.path;
  return url.pathname.startsWith(pattern.path) || url.pathname === pattern.path.slice(0, -1);
}

/**
 * How specific a pattern is, compared element by element (higher wins): the host's labels (a
 * longer host names a narrower site), an exact host over `*.` the same host, the length of the
 * path (an exact path over a prefix of the same length), a port, then a scheme.
 */
export function specificity(pattern: SitePattern): number[] {
  const labels = pattern.host.startsWith('[') ? 8 : pattern.host.split('.').length;
  return [
    labels,
    pattern.subdomains ? 0 : 1,
    pattern.path === null ? 0 : pattern.path.length,
    pattern.path !== null && !pattern.pathPrefix ? 1 : 0,
    pattern.port === null ? 0 : 1,
    pattern.scheme === null ? 0 : 1,
  ];
}

/** Orders specificity vectors: negative when `a` is less specific than `b`. */
export function compareSpecificity(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
