import { expect, test } from 'vitest';
import {
  exampleDedupeHash,
  MAX_FIELD_CHARS,
  MAX_TAGS,
  validateExample,
} from '../../../src/dataset/example';

const codes = (value: unknown): string[] => {
  const result = validateExample(value);
  return result.ok ? [] : result.problems.map((p) => `${p.field}:${p.code}`);
};

test('accepts a minimal example and fills optional fields', () => {
  expect(validateExample({ instruction: ' Say hi ', output: 'hi\r\n' })).toEqual({
    ok: true,
    draft: { instruction: 'Say hi', input: '', output: 'hi', tags: [], sourceUrl: '', sourceTitle: '' },
  });
});

test("origin is kept when it is 'chat', absent when not given, refused otherwise", () => {
  const base = { instruction: 'Q', output: 'A' };
  expect(validateExample({ ...base, origin: 'chat' })).toMatchObject({ ok: true, draft: { origin: 'chat' } });
  const plain = validateExample(base);
  expect(plain.ok && 'origin' in plain.draft).toBe(false);
  expect(codes({ ...base, origin: 'page' })).toEqual(['origin:wrong-type']);
  expect(codes({ ...base, origin: 7 })).toEqual(['origin:wrong-type']);
});

test('refuses empty output and instruction, wrong types and non-objects', () => {
  expect(codes({ instruction: 'x', output: '   ' })).toEqual(['output:required']);
  expect(codes({ output: 'y' })).toEqual(['instruction:required']);
  expect(codes({ instruction: 1, input: [], output: 'y', tags: [1], sourceUrl: {} })).toEqual([
    'instruction:wrong-type',
    'input:wrong-type',
    'sourceUrl:wrong-type',
    'tags:wrong-type',
  ]);
  expect(codes('text')).toEqual(['example:not-an-object']);
  expect(codes(null)).toEqual(['example:not-an-object']);
  expect(codes([{ instruction: 'x', output: 'y' }])).toEqual(['example:not-an-object']);
});

test('caps field lengths and tag counts', () => {
  const huge = 'a'.repeat(MAX_FIELD_CHARS + 1);
  expect(codes({ instruction: 'x', output: huge })).toEqual(['output:too-long']);
  expect(codes({ instruction: 'x', output: 'a'.repeat(MAX_FIELD_CHARS) })).toEqual([]);
  const tooMany = Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`);
  expect(codes({ instruction: 'x', output: 'y', tags: tooMany })).toEqual(['tags:too-many-tags']);
  const result = validateExample({ instruction: 'x', output: huge });
  expect(!result.ok && result.problems[0]?.limit).toBe(MAX_FIELD_CHARS);
});

test('dedupe hash ignores surrounding whitespace but not content', () => {
  const a = exampleDedupeHash({ instruction: 'Q', input: '', output: 'A' });
  expect(exampleDedupeHash({ instruction: ' Q', output: 'A\n' })).toBe(a);
  expect(exampleDedupeHash({ instruction: 'Q', input: 'A', output: '' })).not.toBe(a);
  expect(exampleDedupeHash({ instruction: 'Q', input: '', output: 'a' })).not.toBe(a);
});
