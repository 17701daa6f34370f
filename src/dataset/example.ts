// The training example: one instruction/output pair a person captured or imported. This module
// is pure (no storage, no DOM) so capture, the dashboard, import and the CLI all agree on what a
// valid example is.

/** Longest text accepted in any one of instruction / input / output. */
export const MAX_FIELD_CHARS = 20_000;
export const MAX_TAGS = 32;
export const MAX_TAG_CHARS = 64;
export const MAX_SOURCE_URL_CHARS = 2_048;
export const MAX_SOURCE_TITLE_CHARS = 500;

/**
 * How an example was made, when not captured from a page or imported: 'chat' is an assistant
 * answer the person marked Good or corrected in the chat (the page fields are then empty).
 */
export const EXAMPLE_ORIGINS = ['chat'] as const;
export type ExampleOrigin = (typeof EXAMPLE_ORIGINS)[number];

/** A stored example. `input` and the source fields are '' when absent, never undefined. */
export interface Example {
  id: string;
  instruction: string;
  input: string;
  output: string;
  tags: string[];
  sourceUrl: string;
  sourceTitle: string;
  /** Absent for captures and imports. */
  origin?: ExampleOrigin;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
}

/** What a caller supplies to create an example; the repository adds id and timestamps. */
export interface ExampleDraft {
  instruction: string;
  input?: string;
  output: string;
  tags?: string[];
  sourceUrl?: string;
  sourceTitle?: string;
  origin?: ExampleOrigin;
}

/**
 * The same draft after validation: every text field present, strings trimmed, tags
 * de-duplicated; `origin` only when the draft named one.
 */
export type ValidExampleDraft = Required<Omit<ExampleDraft, 'origin'>> & Pick<ExampleDraft, 'origin'>;

export type ExampleField = keyof ExampleDraft | 'example';

export type ExampleProblemCode =
  | 'not-an-object'
  | 'wrong-type'
  | 'required'
  | 'too-long'
  | 'too-many-tags';

export interface ExampleProblem {
  field: ExampleField;
  code: ExampleProblemCode;
  /** The limit that was exceeded, for 'too-long' and 'too-many-tags'. */
  limit?: number;
  /** Plain English, for logs and the CLI; the UI translates `code` instead. */
  message: string;
}

export type ExampleValidation =
  | { ok: true; draft: ValidExampleDraft }
  | { ok: false; problems: ExampleProblem[] };

const TEXT_LIMITS = {
  instruction: MAX_FIELD_CHARS,
  input: MAX_FIELD_CHARS,
  output: MAX_FIELD_CHARS,
  sourceUrl: MAX_SOURCE_URL_CHARS,
  sourceTitle: MAX_SOURCE_TITLE_CHARS,
} as const;

/** Fields that must hold visible text: training needs a prompt and a target. */
const REQUIRED_FIELDS = new Set<keyof typeof TEXT_LIMITS>(['instruction', 'output']);

/**
 * Checks an untrusted value (form input, an imported JSON line) and returns either a normalised
 * draft or every problem found, so a person can fix them all at once.
 */
export function validateExample(value: unknown): ExampleValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problems: [problem('example', 'not-an-object')] };
  }
  const record = value as Record<string, unknown>;
  const problems: ExampleProblem[] = [];
  const text: Record<keyof typeof TEXT_LIMITS, string> = {
    instruction: '',
    input: '',
    output: '',
    sourceUrl: '',
    sourceTitle: '',
  };
  for (const field of Object.keys(TEXT_LIMITS) as (keyof typeof TEXT_LIMITS)[]) {
    const checked = checkText(field, record[field], TEXT_LIMITS[field], REQUIRED_FIELDS.has(field));
    if (typeof checked === 'string') text[field] = checked;
    else problems.push(checked);
  }
  const tags = checkTags(record.tags);
  if (!Array.isArray(tags)) problems.push(tags);
  const origin = record.origin;
  const knownOrigin = origin === undefined || EXAMPLE_ORIGINS.includes(origin as ExampleOrigin);
  if (!knownOrigin) problems.push(problem('origin', 'wrong-type'));
  if (problems.length > 0) return { ok: false, problems };
  const draft: ValidExampleDraft = { ...text, tags: tags as string[] };
  if (origin !== undefined) draft.origin = origin as ExampleOrigin;
  return { ok: true, draft };
}

function checkText(
  field: keyof typeof TEXT_LIMITS,
  value: unknown,
  limit: number,
  required: boolean,
): string | ExampleProblem {
  if (value === undefined || value === null) {
    return required ? problem(field, 'required') : '';
  }
  if (typeof value !== 'string') return problem(field, 'wrong-type');
  const trimmed = normaliseText(value);
  if (required && trimmed === '') return problem(field, 'required');
  if (trimmed.length > limit) return problem(field, 'too-long', limit);
  return trimmed;
}

function checkTags(value: unknown): string[] | ExampleProblem {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((tag) => typeof tag !== 'string')) {
    return problem('tags', 'wrong-type');
  }
  const tags = [...new Set((value as string[]).map(normaliseTag).filter((tag) => tag !== ''))];
  if (tags.length > MAX_TAGS) return problem('tags', 'too-many-tags', MAX_TAGS);
  if (tags.some((tag) => tag.length > MAX_TAG_CHARS)) return problem('tags', 'too-long', MAX_TAG_CHARS);
  return tags;
}

/** Trims the ends and unifies line endings, so the same text pasted twice compares equal. */
export function normaliseText(value: string): string {
  return value.replace(/\r\n?/g, '\n').trim();
}

/** Tags are case-insensitive labels: trimmed, inner whitespace collapsed, lower-cased. */
export function normaliseTag(tag: string): string {
  return tag.trim().replace(/\s+/g, ' ').toLowerCase();
}

function problem(field: ExampleField, code: ExampleProblemCode, limit?: number): ExampleProblem {
  const base = { field, code, message: describe(field, code, limit) };
  return limit === undefined ? base : { ...base, limit };
}

function describe(field: ExampleField, code: ExampleProblemCode, limit?: number): string {
  switch (code) {
    case 'not-an-object':
      return 'Expected an object with "instruction" and "output" fields.';
    case 'wrong-type':
      if (field === 'tags') return '"tags" must be a list of strings.';
      if (field === 'origin') return `"origin" is absent or one of: ${EXAMPLE_ORIGINS.join(', ')}.`;
      return `"${field}" must be a string.`;
    case 'required':
      return `"${field}" is empty; it must contain text.`;
    case 'too-long':
      return field === 'tags'
        ? `A tag is longer than ${limit} characters.`
        : `"${field}" is longer than ${limit} characters; shorten it.`;
    case 'too-many-tags':
      return `More than ${limit} tags.`;
  }
}

/**
 * The identity used to find exact duplicates: the same instruction, input and output (after
 * normalisation) are the same example, whatever the tags or source.
 */
export function exampleContentKey(example: Pick<ExampleDraft, 'instruction' | 'input' | 'output'>): string {
  return JSON.stringify([
    normaliseText(example.instruction),
    normaliseText(example.input ?? ''),
    normaliseText(example.output),
  ]);
}

/**
 * A short, stable hash of `exampleContentKey` for the dedupe index (53-bit cyrb53, hex). Hash
 * collisions are possible, so callers compare the full content of any hit before calling it a
 * duplicate.
 */
export function exampleDedupeHash(example: Pick<ExampleDraft, 'instruction' | 'input' | 'output'>): string {
  const key = exampleContentKey(example);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}
