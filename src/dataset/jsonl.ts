// Dataset files: export as JSONL with Alpaca field names, import from JSONL or a JSON array.
// Parsing is pure: it returns the good items and the bad lines (with numbers and reasons) and
// writes nothing; the caller shows a preview and stores the good items only once confirmed.

import { AttuneError } from '../errors/attune-error';
import { validateExample, type Example, type ExampleProblem, type ValidExampleDraft } from './example';

/** One exported line: Alpaca's fields first, then Attune's extras (other tools ignore them). */
export interface ExportedExample {
  instruction: string;
  input: string;
  output: string;
  tags?: string[];
  sourceUrl?: string;
  sourceTitle?: string;
  /** 'chat': an assistant answer approved or corrected in the chat. */
  origin?: string;
  /** ISO 8601 capture time, so a re-import keeps the original order and dates. */
  createdAt?: string;
}

export function exampleToExportRecord(example: Example): ExportedExample {
  const record: ExportedExample = {
    instruction: example.instruction,
    input: example.input,
    output: example.output,
  };
  if (example.tags.length > 0) record.tags = example.tags;
  if (example.sourceUrl) record.sourceUrl = example.sourceUrl;
  if (example.sourceTitle) record.sourceTitle = example.sourceTitle;
  if (example.origin) record.origin = example.origin;
  record.createdAt = new Date(example.createdAt).toISOString();
  return record;
}

/** One JSON object per line, each line ending in "\n". */
export function examplesToJsonl(examples: readonly Example[]): string {
  return examples.map((example) => `${JSON.stringify(exampleToExportRecord(example))}\n`).join('');
}

export interface ImportCandidate {
  /** 1-based line number (JSONL) or item number (JSON array) in the file. */
  line: number;
  draft: ValidExampleDraft;
  createdAt?: number;
}

export type ImportIssue =
  | { line: number; kind: 'invalid-json'; message: string }
  | { line: number; kind: 'invalid-example'; problems: ExampleProblem[] };

export interface ParsedImport {
  format: 'jsonl' | 'json-array';
  good: ImportCandidate[];
  bad: ImportIssue[];
}

export class UnreadableImportError extends AttuneError {
  /** @param detail why the file could not be read, without the advice (callers that name the file reuse it). */
  constructor(readonly detail: string) {
    super('error.import-unreadable', { detail });
  }
}

/**
 * Parses a dataset file. A file whose first non-space character is "[" is a JSON array (one
 * example per item; a broken array is unreadable as a whole); anything else is JSONL (one example
 * per non-blank line; each broken line is reported on its own).
 */
export function parseImport(text: string): ParsedImport {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('[')) return parseJsonArray(body);
  return parseJsonLines(body);
}

function parseJsonArray(body: string): ParsedImport {
  let items: unknown;
  try {
    items = JSON.parse(body);
  } catch (error) {
    throw new UnreadableImportError(error instanceof Error ? error.message : String(error));
  }
  if (!Array.isArray(items)) throw new UnreadableImportError('expected a JSON array');
  const result: ParsedImport = { format: 'json-array', good: [], bad: [] };
  items.forEach((item: unknown, index) => classify(result, index + 1, item));
  return result;
}

function parseJsonLines(body: string): ParsedImport {
  const result: ParsedImport = { format: 'jsonl', good: [], bad: [] };
  body.split('\n').forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      result.bad.push({
        line: index + 1,
        kind: 'invalid-json',
        message: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    classify(result, index + 1, value);
  });
  return result;
}

function classify(result: ParsedImport, line: number, value: unknown): void {
  const validation = validateExample(value);
  if (!validation.ok) {
    result.bad.push({ line, kind: 'invalid-example', problems: validation.problems });
    return;
  }
  const candidate: ImportCandidate = { line, draft: validation.draft };
  const createdAt = readCreatedAt(value);
  if (createdAt !== undefined) candidate.createdAt = createdAt;
  result.good.push(candidate);
}

/** A valid past-or-present ISO date or epoch-milliseconds number; anything else is ignored. */
function readCreatedAt(value: unknown): number | undefined {
  const raw = (value as { createdAt?: unknown }).createdAt;
  const ms = typeof raw === 'string' ? Date.parse(raw) : typeof raw === 'number' ? raw : NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > Date.now() + 86_400_000) return undefined;
  return ms;
}
