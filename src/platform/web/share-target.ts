// Web Share Target: other apps open the PWA at `/?title=…&text=…&url=…` (manifest share_target,
// GET). Everything here comes from another app, so it is treated like page data: cleaned, capped,
// and a source URL is kept only when it is a plain http(s) address.
import { cleanText } from '../../capture/clean';
import { MAX_FIELD_CHARS, MAX_SOURCE_TITLE_CHARS, MAX_SOURCE_URL_CHARS } from '../../dataset/example';

/** Query parameter names; keep in sync with share_target.params in pwa/manifest.webmanifest. */
export const SHARE_PARAMS = { title: 'title', text: 'text', url: 'url' } as const;

/**
 * Shared text longer than this is cut before any further work (the form then cuts to
 * MAX_FIELD_CHARS and shows its truncation notice). Bounds the work a hostile share can cause.
 */
export const MAX_SHARED_TEXT_CHARS = 4 * MAX_FIELD_CHARS;

/** Controls other than tab and newline never belong in a captured example. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

export interface SharedCapture {
  /** The shared text (may be empty when only a link was shared). */
  text: string;
  source: { url: string; title: string };
}

/** An http(s) URL as a string, or '' for anything else (javascript:, data:, file:, garbage). */
export function safeSourceUrl(raw: string): string {
  const trimmed = raw.trim();
  if (!trimmed || trimmed.length > MAX_SOURCE_URL_CHARS) return '';
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return '';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return '';
  return parsed.href.length <= MAX_SOURCE_URL_CHARS ? parsed.href : '';
}

function cleanField(raw: string, limit: number): string {
  return cleanText(raw.slice(0, limit).replace(CONTROL_CHARS, ''));
}

/** Many apps share "Some text https://example.com/page" with no url field: split that link off. */
function splitTrailingLink(text: string): { text: string; url: string } {
  const match = /(?:^|\s)(\S+)$/.exec(text);
  const url = match ? safeSourceUrl(match[1]!) : '';
  if (!url || !match) return { text, url: '' };
  return { text: text.slice(0, match.index).trim(), url };
}

/**
 * Reads a share from the page's query string; null when the URL carries no share (a normal
 * start). A share with only a title or a link still opens the form, for the person to fill in.
 */
export function parseShareTarget(search: string | URLSearchParams): SharedCapture | null {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const raw = {
    title: params.get(SHARE_PARAMS.title) ?? '',
    text: params.get(SHARE_PARAMS.text) ?? '',
    url: params.get(SHARE_PARAMS.url) ?? '',
  };
  if (!raw.title.trim() && !raw.text.trim() && !raw.url.trim()) return null;
  const title = cleanField(raw.title, MAX_SOURCE_TITLE_CHARS * 2)
    .replace(/\s+/g, ' ')
    .slice(0, MAX_SOURCE_TITLE_CHARS);
  let text = cleanField(raw.text, MAX_SHARED_TEXT_CHARS);
  let url = safeSourceUrl(raw.url);
  if (!url) ({ text, url } = splitTrailingLink(text));
  return { text, source: { url, title } };
}

/** The same URL without the share parameters, so a reload does not open the form again. */
export function withoutShareParams(href: string): string {
  const url = new URL(href);
  for (const name of Object.values(SHARE_PARAMS)) url.searchParams.delete(name);
  return url.pathname + url.search + url.hash;
}
