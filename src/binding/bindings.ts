// What an adapter is bound to: site patterns (site-pattern.ts) and example tags. Kept on the
// adapter's record as two optional lists; this module validates and normalises them so the
// repository stores only lists that parse, and every page reads them the same way.
import { MAX_TAG_CHARS, normaliseTag } from '../dataset/example';
import { AttuneError } from '../errors/attune-error';
import { parseSitePattern } from './site-pattern';

export const MAX_BOUND_SITES = 32;
export const MAX_BOUND_TAGS = 32;

export interface AdapterBindings {
  /** Normalised site patterns (their `source`), without duplicates, in the order given. */
  sites: string[];
  /** Normalised tags (as examples store them), without duplicates. */
  tags: string[];
}

/** A binding list that is not a list of strings, or one too long. */
export class InvalidBindingsError extends AttuneError {
  constructor(field: 'sites' | 'tags', detail: 'wrong-type' | 'too-many' | 'tag-too-long', max: number) {
    super(`error.adapter-bindings.${detail}`, { field, max });
  }
}

/**
 * Checks untrusted bindings (a form, a message, an old record) and returns them normalised;
 * throws the first problem: an InvalidBindingsError or the pattern's own SitePatternError.
 */
export function validateBindings(value: { sites?: unknown; tags?: unknown }): AdapterBindings {
  const sites = stringList('sites', value.sites, MAX_BOUND_SITES).map((s) => parseSitePattern(s).source);
  const tags = stringList('tags', value.tags, MAX_BOUND_TAGS)
    .map(normaliseTag)
    .filter((tag) => tag !== '');
  if (tags.some((tag) => tag.length > MAX_TAG_CHARS)) throw new InvalidBindingsError('tags', 'tag-too-long', MAX_TAG_CHARS);
  return { sites: [...new Set(sites)], tags: [...new Set(tags)] };
}

function stringList(field: 'sites' | 'tags', value: unknown, max: number): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new InvalidBindingsError(field, 'wrong-type', max);
  }
  if (value.length > max) throw new InvalidBindingsError(field, 'too-many', max);
  return value as string[];
}

/** Splits what a person typed into one field (commas or new lines) into entries. */
export function splitEntries(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
