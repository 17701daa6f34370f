// Which adapter answers on a page, by itself. Site patterns come first: the most specific
// pattern that matches the page wins (see `specificity` in site-pattern.ts). Only when no pattern
// matches do tags count: an adapter bound to a tag that the person's examples from this host
// carry (the tag most of those examples carry wins). Ties, at either step, go to the adapter
// created most recently (usually the latest training for that site), then to the smaller id, so
// the same adapters and page always give the same answer.
import { compareSpecificity, matchesSite, parseSitePattern, siteOf, specificity } from './site-pattern';

export interface BindableAdapter {
  id: string;
  name: string;
  createdAt: number;
  sites?: readonly string[];
  tags?: readonly string[];
}

export type BindingReason =
  | { kind: 'site'; pattern: string }
  | { kind: 'tag'; tag: string; host: string };

export interface AdapterPick {
  adapterId: string;
  reason: BindingReason;
}

/** Newer first, then the smaller id: the tie-break at every step. */
function newerFirst(a: BindableAdapter, b: BindableAdapter): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The adapter bound to the page at `url`, and why; null when none is (or the address is not a
 * web page). `hostTags`: how many of the person's examples from this page's host carry each tag.
 */
export function pickAdapterForPage(
  adapters: readonly BindableAdapter[],
  url: string,
  hostTags: ReadonlyMap<string, number> = new Map(),
): AdapterPick | null {
  const page = siteOf(url);
  if (!page) return null;
  let best: { adapter: BindableAdapter; pattern: string; rank: number[] } | null = null;
  for (const adapter of adapters) {
    for (const source of adapter.sites ?? []) {
      let pattern;
      try {
        pattern = parseSitePattern(source);
      } catch {
        continue; // stored lists are validated; an unreadable one binds nothing
      }
      if (!matchesSite(pattern, page)) continue;
      const rank = specificity(pattern);
      const order = best === null ? 1 : compareSpecificity(rank, best.rank) || -newerFirst(adapter, best.adapter);
      if (order > 0) best = { adapter, pattern: pattern.source, rank };
    }
  }
  if (best) return { adapterId: best.adapter.id, reason: { kind: 'site', pattern: best.pattern } };

  let byTag: { adapter: BindableAdapter; tag: string; count: number } | null = null;
  for (const adapter of adapters) {
    for (const tag of adapter.tags ?? []) {
      const count = hostTags.get(tag) ?? 0;
      if (count === 0) continue;
      const order = byTag === null ? 1 : count - byTag.count || -newerFirst(adapter, byTag.adapter);
      if (order > 0) byTag = { adapter, tag, count };
    }
  }
  return byTag ? { adapterId: byTag.adapter.id, reason: { kind: 'tag', tag: byTag.tag, host: page.host } } : null;
}

/** Hosts of the pages some examples came from, most examples first (for "bind to these sites?"). */
export function hostsOf(sourceUrls: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const url of sourceUrls) {
    const host = siteOf(url)?.hostname;
    if (host) counts.set(host, (counts.get(host) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([host]) => host);
}
