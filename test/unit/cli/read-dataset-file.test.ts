// The CLI's dataset reader works in 64 KiB chunks: lines and multi-byte characters that straddle
// chunk boundaries must come out exactly as written (bad-inputs.test.ts covers the refusals).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { MAX_LINE_BYTES, readDatasetFile } from '../../../src/cli/read-dataset-file';
import { TrainingDataError } from '../../../src/tuning/errors';

const dir = mkdtempSync(join(tmpdir(), 'attune-read-dataset-'));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('readDatasetFile', () => {
  test('a JSONL file of ~1 MB with lines and 2-, 3- and 4-byte characters across chunk boundaries reads back exactly', () => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      // Lengths vary so boundaries fall everywhere, including inside "é", "€" and "😀".
      lines.push(JSON.stringify({ instruction: `q${i} ${'é€😀'.repeat(i % 97)}`, output: 'a'.repeat((i * 37) % 501) }));
    }
    const text = lines.join('\n');
    expect(Buffer.byteLength(text)).toBeGreaterThan(8 * 64 * 1024);
    expect(readDatasetFile(file('many.jsonl', text))).toBe(text);
    expect(readDatasetFile(file('many-trailing.jsonl', `${text}\n`))).toBe(text);
  });

  test('a UTF-8 BOM is dropped and CRLF endings are kept for the JSONL parser to trim', () => {
    expect(readDatasetFile(file('bom.jsonl', '\uFEFF{"a":1}\r\n{"b":2}\r\n'))).toBe('{"a":1}\r\n{"b":2}\r');
  });

  test('a JSON array is read whole, BOM dropped', () => {
    const array = `\uFEFF [${'{"instruction":"x","output":"y"},'.repeat(5000)}{"instruction":"x","output":"y"}]`;
    expect(readDatasetFile(file('array.json', array))).toBe(array.slice(1));
  });

  test('a line exactly at the limit is read; one byte more is refused with its line number', () => {
    const atLimit = `{"output":"${'a'.repeat(MAX_LINE_BYTES - 13)}"}`;
    expect(Buffer.byteLength(atLimit)).toBe(MAX_LINE_BYTES);
    expect(readDatasetFile(file('limit.jsonl', `{}\n${atLimit}\n`))).toBe(`{}\n${atLimit}`);
    const over = file('over.jsonl', `{}\n${atLimit}x\n`);
    expect(() => readDatasetFile(over)).toThrow(TrainingDataError);
    expect(() => readDatasetFile(over)).toThrow(/over\.jsonl line 2 is longer than 1 MiB/);
  });

  test('an empty file reads as no text', () => {
    expect(readDatasetFile(file('empty.jsonl', ''))).toBe('');
  });
});
