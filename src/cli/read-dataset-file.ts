// Reads a dataset file named on the command line (JSONL or a JSON array) as UTF-8 text, refusing
// what is not: binary files, UTF-16, invalid UTF-8 and over-long lines are named with the file and
// line, without reading more than one line's limit into memory. A UTF-8 byte order mark is
// dropped; CRLF line endings are left for the JSONL parser, which trims each line.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { UsageError } from './args';
import { encodingProblem } from '../dataset/text-encoding';
import { TrainingDataError } from '../tuning/errors';

/**
 * Longest JSONL line read. An example's text fields hold at most 20,000 characters each
 * (MAX_FIELD_CHARS): even written entirely as \u escapes, three of them take 360 KB, so a longer
 * line is not an example, and refusing it keeps one bad line from filling the memory.
 */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Largest JSON-array file: an array is parsed in one piece, so it is bounded as a whole. */
export const MAX_JSON_ARRAY_BYTES = 64 * 1024 * 1024;

const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/** The file's text with its line numbers intact (lines joined by "\n"). */
export function readDatasetFile(path: string): string {
  const fd = openFile(path);
  try {
    return readOpenFile(fd, path);
  } finally {
    closeSync(fd);
  }
}

function openFile(path: string): number {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}; check the path`,
    );
  }
  if (isDirectory)
    throw new UsageError(`cannot read ${path}: it is a folder, not a file; pass a .jsonl or .json file`);
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw new UsageError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}; check the path and its permissions`,
    );
  }
}

function readOpenFile(fd: number, path: string): string {
  const chunk = Buffer.alloc(CHUNK_BYTES);
  const firstLength = readSync(fd, chunk, 0, CHUNK_BYTES, 0);
  const first = chunk.subarray(0, firstLength);
  checkEncoding(first, path);
  const bom = first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf ? 3 : 0;
  if (isJsonArray(first, bom)) return readWhole(fd, path, bom);
  return readLines(fd, path, chunk, firstLength, bom);
}

/**
 * UTF-16 (with or without a byte order mark) and binary files are refused before any parsing, as
 * the dashboard's import refuses them (src/dataset/text-encoding.ts). Invalid UTF-8 is left to
 * the line reader, which names the line.
 */
function checkEncoding(first: Uint8Array, path: string): void {
  const problem = encodingProblem(first);
  if (problem === 'utf16') {
    throw new TrainingDataError(
      `${path} is UTF-16 text; save it as UTF-8 (JSON Lines are UTF-8), then run again.`,
    );
  }
  if (problem === 'binary') {
    throw new TrainingDataError(
      `${path} is a binary file, not UTF-8 text; pass a .jsonl or .json file of examples.`,
    );
  }
}

function isJsonArray(first: Uint8Array, start: number): boolean {
  for (let i = start; i < first.length; i++) {
    const byte = first[i]!;
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x5b; // "["
  }
  return false;
}

function readWhole(fd: number, path: string, bom: number): string {
  const size = fstatSync(fd).size;
  if (size > MAX_JSON_ARRAY_BYTES) {
    throw new TrainingDataError(
      `${path} is a JSON array of ${size} bytes, more than the ${MAX_JSON_ARRAY_BYTES / 1024 / 1024} MiB read at once; write it as JSON Lines (one example per line) instead.`,
    );
  }
  const bytes = Buffer.alloc(size);
  let filled = 0;
  while (filled < size) {
    const n = readSync(fd, bytes, filled, size - filled, filled);
    if (n === 0) break;
    filled += n;
  }
  return decodeUtf8(
    bytes.subarray(bom, filled),
    () => `${path} is not valid UTF-8; save it as UTF-8, then run again.`,
  );
}

/** Splits on "\n" chunk by chunk; a line is kept only up to MAX_LINE_BYTES. */
function readLines(fd: number, path: string, chunk: Buffer, firstLength: number, bom: number): string {
  const lines: string[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let position = 0;
  let length = firstLength;
  let start = bom;
  const finishLine = (piece: Buffer) => {
    const bytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
    const lineNumber = lines.length + 1;
    if (bytes.includes(0))
      throw new TrainingDataError(
        `${path} line ${lineNumber} holds a zero byte: the file is binary, not UTF-8 text.`,
      );
    lines.push(
      decodeUtf8(
        bytes,
        () => `${path} line ${lineNumber} is not valid UTF-8; save the file as UTF-8, then run again.`,
      ),
    );
    pending = [];
    pendingBytes = 0;
  };
  while (length > 0) {
    let cursor = start;
    for (
      let newline = chunk.indexOf(NEWLINE, cursor);
      newline >= 0 && newline < length;
      newline = chunk.indexOf(NEWLINE, cursor)
    ) {
      checkLineLength(path, lines.length + 1, pendingBytes + newline - cursor);
      finishLine(chunk.subarray(cursor, newline));
      cursor = newline + 1;
    }
    if (cursor < length) {
      checkLineLength(path, lines.length + 1, pendingBytes + length - cursor);
      pending.push(Buffer.from(chunk.subarray(cursor, length)));
      pendingBytes += length - cursor;
    }
    position += length;
    length = readSync(fd, chunk, 0, CHUNK_BYTES, position);
    start = 0;
  }
  if (pendingBytes > 0) finishLine(Buffer.alloc(0));
  return lines.join('\n');
}

function checkLineLength(path: string, lineNumber: number, bytes: number): void {
  if (bytes > MAX_LINE_BYTES) {
    throw new TrainingDataError(
      `${path} line ${lineNumber} is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB (the limit for one example); shorten or remove it, then run again.`,
    );
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array, message: () => string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new TrainingDataError(message());
  }
}
