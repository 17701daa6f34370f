import '../storage/helpers';
import { expect, test } from 'vitest';
import { examplesToJsonl, parseImport, UnreadableImportError } from '../../../src/dataset/jsonl';
import { MAX_FIELD_CHARS } from '../../../src/dataset/example';
import { addExample, allExamplesOldestFirst, importExamples } from '../../../src/storage/examples-repo';
import { freshDb } from '../storage/helpers';

test('JSONL import reports each bad line by number and reason and keeps the good ones', () => {
  const lines = [
    '{"instruction":"Q1","input":"","output":"A1"}',
    '',
    '{"instruction":"Q2","output":"A2"', // broken JSON
    '{"instruction":"Q3","output":""}', // empty output
    '{"instruction":["Q4"],"output":"A4","tags":"x"}', // wrong types
    `{"instruction":"Q5","output":"${'z'.repeat(MAX_FIELD_CHARS + 5)}"}`, // huge field
    '42',
    '{"instruction":"Q6","output":"A6","tags":["a"],"sourceUrl":"https://x.org/p","createdAt":"2024-01-02T03:04:05.000Z","extra":1}',
  ];
  const parsed = parseImport(lines.join('\r\n'));
  expect(parsed.format).toBe('jsonl');
  expect(parsed.good.map((g) => [g.line, g.draft.instruction])).toEqual([
    [1, 'Q1'],
    [8, 'Q6'],
  ]);
  expect(parsed.good[1]).toMatchObject({
    draft: { tags: ['a'], sourceUrl: 'https://x.org/p' },
    createdAt: Date.UTC(2024, 0, 2, 3, 4, 5),
  });
  expect(parsed.bad.map((b) => [b.line, b.kind])).toEqual([
    [3, 'invalid-json'],
    [4, 'invalid-example'],
    [5, 'invalid-example'],
    [6, 'invalid-example'],
    [7, 'invalid-example'],
  ]);
  const reasons = (line: number) => {
    const issue = parsed.bad.find((b) => b.line === line);
    return issue?.kind === 'invalid-example' ? issue.problems.map((p) => `${p.field}:${p.code}`) : [];
  };
  expect(reasons(4)).toEqual(['output:required']);
  expect(reasons(5)).toEqual(['instruction:wrong-type', 'tags:wrong-type']);
  expect(reasons(6)).toEqual(['output:too-long']);
  expect(reasons(7)).toEqual(['example:not-an-object']);
});

test('a JSON array is read item by item, with item numbers for bad ones', () => {
  const parsed = parseImport('\uFEFF  [{"instruction":"a","output":"b"}, {"instruction":"c"}, {"instruction":"d","input":"e","output":"f"}]');
  expect(parsed.format).toBe('json-array');
  expect(parsed.good.map((g) => g.line)).toEqual([1, 3]);
  expect(parsed.bad).toEqual([
    { line: 2, kind: 'invalid-example', problems: [expect.objectContaining({ field: 'output', code: 'required' })] },
  ]);
});

test('a broken JSON array or a non-array JSON document is unreadable as a whole', () => {
  expect(() => parseImport('[{"instruction":"a","output":"b"}')).toThrow(UnreadableImportError);
  expect(() => parseImport('[1, 2')).toThrow(/Nothing was imported/);
});

test('export writes one Alpaca-shaped object per line', async () => {
  const db = await freshDb();
  await addExample(db, { instruction: 'Q', output: 'A\nwith "quotes"', tags: ['t'], sourceUrl: 'https://s.io' }, 1_000);
  await addExample(db, { instruction: 'Q2', input: 'I', output: 'A2' }, 2_000);
  const jsonl = examplesToJsonl(await allExamplesOldestFirst(db));
  const lines = jsonl.split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[2]).toBe('');
  expect(JSON.parse(lines[0]!)).toEqual({
    instruction: 'Q',
    input: '',
    output: 'A\nwith "quotes"',
    tags: ['t'],
    sourceUrl: 'https://s.io',
    createdAt: new Date(1_000).toISOString(),
  });
  expect(Object.keys(JSON.parse(lines[1]!)).slice(0, 3)).toEqual(['instruction', 'input', 'output']);
});

test('export then import into a fresh database gives the same examples', async () => {
  const source = await freshDb();
  const payloads = ['<img src=x onerror=alert(1)>', 'emoji 😀 and 中文', 'line1\nline2\ttab', '{"json":"inside"}'];
  for (const [i, text] of payloads.entries()) {
    // The first is an answer saved from the chat: its origin travels through the file too.
    const origin = i === 0 ? { origin: 'chat' as const } : {};
    await addExample(source, { instruction: `I${i}`, input: text, output: text, tags: [`tag${i % 2}`], sourceTitle: `T${i}`, ...origin }, 1_000 + i);
  }
  const original = await allExamplesOldestFirst(source);
  expect(original[0]!.origin).toBe('chat');
  const parsed = parseImport(examplesToJsonl(original));
  expect(parsed.bad).toEqual([]);

  const target = await freshDb();
  expect(await importExamples(target, parsed.good)).toEqual({ added: 4, duplicates: 0 });
  const strip = ({ id: _id, updatedAt: _u, ...rest }: (typeof original)[number]) => rest;
  expect((await allExamplesOldestFirst(target)).map(strip)).toEqual(original.map(strip));
  // Importing the same file again adds nothing.
  expect(await importExamples(target, parsed.good)).toEqual({ added: 0, duplicates: 4 });
});
