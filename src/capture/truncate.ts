// Keeps captured text within the per-field limit. Truncation is always reported to the caller so
// the form can show a visible notice: text is never cut silently.

import { MAX_FIELD_CHARS } from '../dataset/example';

export interface Truncated {
  text: string;
  truncated: boolean;
  /** Length before truncation, for the notice ("kept 20,000 of 31,245 characters"). */
  originalLength: number;
}

/** Cuts `text` to at most `limit` UTF-16 units without splitting a surrogate pair. */
export function truncateToLimit(text: string, limit: number = MAX_FIELD_CHARS): Truncated {
  if (text.length <= limit) return { text, truncated: false, originalLength: text.length };
  let end = limit;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate whose pair lies past the cut
  return { text: text.slice(0, end), truncated: true, originalLength: text.length };
}
