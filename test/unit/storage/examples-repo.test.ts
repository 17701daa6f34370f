import './helpers';
import { afterEach, describe, expect, test } from 'vitest';
import {
  addExample,
  countExamples,
  deleteExamples,
  getExample,
  importExamples,
  listExamples,
  listSites,
  listTags,
  restoreExamples,
  updateExample,
} from '../../../src/storage/examples-repo';
import {
  DuplicateExampleError,
  ExampleNotFoundError,
  InvalidExampleError,
  StorageFullError,
} from '../../../src/storage/errors';
import type { Example, ValidExampleDraft } from '../../../src/dataset/example';
import { freshDb } from './helpers';

const draft = (instruction: string, output = 'out', extra: Partial<ValidExampleDraft> = {}): ValidExampleDraft => ({
  instruction,
  input: '',
  output,
  tags: [],
  sourceUrl: '',
  sourceTitle: '',
  ...extra,
});

async function added(result: Awaited<ReturnType<typeof addExample>>): Promise<Example> {
  if (result.status !== 'added') throw new Error(`expected added, got ${result.status}`);
  return result.example;
}

describe('adding', () => {
  test('stores a validated, normalised example with id and timestamps', async () => {
    const db = await freshDb();
    const example = await added(
      await addExample(
        db,
        { instruction: '  Explain\r\n', output: 'Because', tags: ['Go ', 'go'], sourceUrl: 'https://go.dev/x' },
        5_000,
      ),
    );
    expect(example).toMatchObject({
      instruction: 'Explain',
      input: '',
      output: 'Because',
      tags: ['go'],
      sourceUrl: 'https://go.dev/x',
      createdAt: 5_000,
      updatedAt: 5_000,
    });
    expect(example.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await getExample(db, example.id)).toEqual(example);
  });

  test('an exact duplicate is reported with the stored one, not stored twice', async () => {
    const db = await freshDb();
    const first = await added(await addExample(db, { instruction: 'Q', input: 'ctx', output: 'A', tags: ['x'] }));
    // Same content with other whitespace, tags and source is still the same example.
    const second = await addExample(db, { instruction: 'Q ', input: 'ctx', output: ' A', tags: ['y'], sourceUrl: 'https://b.c' });
    expect(second).toEqual({ status: 'duplicate', existing: first });
    expect(await countExamples(db)).toBe(1);
    // A different input is a different example.
    expect((await addExample(db, { instruction: 'Q', input: 'other', output: 'A' })).status).toBe('added');
  });

  test('invalid input is refused with every problem and nothing is stored', async () => {
    const db = await freshDb();
    const error = await addExample(db, { instruction: '', output: 7 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidExampleError);
    expect((error as InvalidExampleError).problems.map((p) => `${p.field}:${p.code}`)).toEqual([
      'instruction:required',
      'output:wrong-type',
    ]);
    expect(await countExamples(db)).toBe(0);
  });
});

describe('editing and deleting', () => {
  test('an edit replaces the fields, keeps createdAt and moves updatedAt', async () => {
    const db = await freshDb();
    const original = await added(await addExample(db, draft('Old', 'old'), 1_000));
    const edited = await updateExample(db, original.id, draft('New', 'new', { tags: ['t'] }), 2_000);
    expect(edited).toMatchObject({ id: original.id, instruction: 'New', output: 'new', tags: ['t'], createdAt: 1_000, updatedAt: 2_000 });
    expect(await getExample(db, original.id)).toEqual(edited);
    expect(await listExamples(db, { tag: 't' })).toEqual([edited]);
  });

  test('an edit that would duplicate another example is refused and changes nothing', async () => {
    const db = await freshDb();
    const a = await added(await addExample(db, draft('A')));
    const b = await added(await addExample(db, draft('B')));
    await expect(updateExample(db, b.id, draft('A'))).rejects.toBeInstanceOf(DuplicateExampleError);
    expect(await getExample(db, b.id)).toEqual(b);
    // Saving an example unchanged is not a duplicate of itself.
    await expect(updateExample(db, a.id, draft('A'))).resolves.toMatchObject({ id: a.id });
  });

  test('editing a deleted example says so', async () => {
    const db = await freshDb();
    await expect(updateExample(db, 'gone', draft('A'))).rejects.toBeInstanceOf(ExampleNotFoundError);
  });

  test('delete returns the records; restore puts them back unchanged (undo)', async () => {
    const db = await freshDb();
    const a = await added(await addExample(db, draft('A', 'a', { tags: ['k'] }), 1));
    const b = await added(await addExample(db, draft('B'), 2));
    const c = await added(await addExample(db, draft('C'), 3));
    const deleted = await deleteExamples(db, [a.id, c.id, 'missing']);
    expect(deleted).toEqual([a, c]);
    expect(await listExamples(db)).toEqual([b]);
    expect(await restoreExamples(db, deleted)).toBe(2);
    expect(await listExamples(db)).toEqual([c, b, a]);
    expect(await listExamples(db, { tag: 'k' })).toEqual([a]);
  });

  test('undo skips an example that was captured again meanwhile', async () => {
    const db = await freshDb();
    const a = await added(await addExample(db, draft('A')));
    const deleted = await deleteExamples(db, [a.id]);
    await addExample(db, draft('A'));
    expect(await restoreExamples(db, deleted)).toBe(0);
    expect(await countExamples(db)).toBe(1);
  });
});

describe('listing', () => {
  test('filters by tag, site and text, newest first; facets count per value', async () => {
    const db = await freshDb();
    const wiki1 = await added(await addExample(db, draft('Define cat', 'Feline', { tags: ['animals'], sourceUrl: 'https://en.wikipedia.org/wiki/Cat' }), 1));
    const wiki2 = await added(await addExample(db, draft('Define dog', 'Canine', { tags: ['animals', 'dogs'], sourceUrl: 'https://en.wikipedia.org/wiki/Dog' }), 2));
    const blog = await added(await addExample(db, draft('Summarise', 'A post about CATS', { sourceUrl: 'https://blog.example/p', sourceTitle: 'My blog' }), 3));

    expect(await listExamples(db)).toEqual([blog, wiki2, wiki1]);
    expect(await listExamples(db, { tag: 'animals' })).toEqual([wiki2, wiki1]);
    expect(await listExamples(db, { site: 'en.wikipedia.org' })).toEqual([wiki2, wiki1]);
    expect(await listExamples(db, { query: 'cat' })).toEqual([blog, wiki1]);
    expect(await listExamples(db, { query: 'my BLOG' })).toEqual([blog]);
    expect(await listExamples(db, { tag: 'animals', site: 'blog.example' })).toEqual([]);
    expect(await listExamples(db, { tag: 'dogs', query: 'canine' })).toEqual([wiki2]);
    expect(await listTags(db)).toEqual([
      { value: 'animals', count: 2 },
      { value: 'dogs', count: 1 },
    ]);
    expect(await listSites(db)).toEqual([
      { value: 'en.wikipedia.org', count: 2 },
      { value: 'blog.example', count: 1 },
    ]);
  });
});

describe('import', () => {
  test('writes all new items at once and counts duplicates in the store and in the batch', async () => {
    const db = await freshDb();
    await addExample(db, draft('Existing'));
    const result = await importExamples(
      db,
      [{ draft: draft('One') }, { draft: draft('Existing') }, { draft: draft('Two'), createdAt: 10 }, { draft: draft('One') }],
      1_000,
    );
    expect(result).toEqual({ added: 2, duplicates: 2 });
    const byInstruction = new Map((await listExamples(db)).map((e) => [e.instruction, e]));
    expect([...byInstruction.keys()].sort()).toEqual(['Existing', 'One', 'Two']);
    expect(byInstruction.get('Two')?.createdAt).toBe(10);
  });

  test('keeps file order for items without a capture time', async () => {
    const db = await freshDb();
    await importExamples(db, [{ draft: draft('first') }, { draft: draft('second') }, { draft: draft('third') }], 5_000);
    expect((await listExamples(db)).map((e) => e.instruction)).toEqual(['third', 'second', 'first']);
  });
});

describe('storage full', () => {
  const realAdd = IDBObjectStore.prototype.add;
  afterEach(() => {
    IDBObjectStore.prototype.add = realAdd;
  });

  /** Lets `allowed` adds through, then fails like a browser out of quota. */
  function failAddsAfter(allowed: number): void {
    let calls = 0;
    IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      calls += 1;
      if (calls > allowed) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realAdd.apply(this, args);
    };
  }

  test('a quota failure mid-import becomes StorageFullError and leaves nothing half-written', async () => {
    const db = await freshDb();
    await addExample(db, draft('Before'));
    failAddsAfter(2);
    const items = ['a', 'b', 'c', 'd'].map((name) => ({ draft: draft(name) }));
    const error = await importExamples(db, items).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFullError);
    expect((error as Error).message).toMatch(/full.*nothing was saved/i);
    IDBObjectStore.prototype.add = realAdd;
    expect((await listExamples(db)).map((e) => e.instruction)).toEqual(['Before']);
  });

  test('a quota failure on a single capture is a StorageFullError too', async () => {
    const db = await freshDb();
    failAddsAfter(0);
    await expect(addExample(db, draft('x'))).rejects.toBeInstanceOf(StorageFullError);
    IDBObjectStore.prototype.add = realAdd;
    expect(await countExamples(db)).toBe(0);
  });
});
