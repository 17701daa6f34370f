// Text cleaning for captured selections. Pages hand us non-breaking spaces, zero-width joiners,
// soft hyphens and ragged whitespace from layout; a training example should hold the words only.

const INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF]/g;
const HORIZONTAL_SPACE = /[ \t\f\v\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g;

/** Normalises whitespace while keeping paragraph breaks (at most one blank line in a row). */
export function cleanText(raw: string): string {
  return raw
    .replace(/\r\n?/g, '\n')
    .replace(INVISIBLE, '')
    .replace(HORIZONTAL_SPACE, ' ')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Splits a comma-separated tag field into tags (the storage layer lower-cases and dedupes). */
export function parseTags(field: string): string[] {
  return field
    .split(/[,，]/)
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
}
