// Examples: create, edit, delete/restore, list with filters, bulk import. Duplicate detection
// uses the dedupe-hash index and then compares the full content, so a hash collision can never
// hide a distinct example.

import {
  exampleContentKey,
  exampleDedupeHash,
  validateExample,
  type Example,
  type ValidExampleDraft,
} from '../dataset/example';
import type { AttuneDb } from './db';
import { DuplicateExampleError, ExampleNotFoundError, InvalidExampleError } from './errors';
import { hostOf } from './host';
import type { StoredExample } from './schema';
import { allRequests, writeTransaction, type WriteTx } from './transaction';

export type AddExampleResult =
  | { status: 'added'; example: Example }
  | { status: 'duplicate'; existing: Example };

export interface ImportItem {
  draft: ValidExampleDraft;
  /** Keeps the original capture time on import; now when absent. */
  createdAt?: number;
}

export interface ImportResult {
  added: number;
  /** Items skipped because the same content was already stored (or earlier in the batch). */
  duplicates: number;
}

export interface ExampleFilter {
  /** Case-insensitive text searched in instruction, input, output and source title. */
  query?: string;
  tag?: string;
  /** Host as returned by listSites(). */
  site?: string;
}

export interface Facet {
  value: string;
  count: number;
}

/** Validates and stores one example, or reports the stored duplicate. */
export async function addExample(
  db: AttuneDb,
  draft: unknown,
  now: number = Date.now(),
): Promise<AddExampleResult> {
  const valid = requireValid(draft);
  return writeTransaction(db, ['examples'], async (tx) => {
    const existing = await findDuplicate(tx, valid);
    if (existing) return { status: 'duplicate', existing: toExample(existing) };
    const stored = toStored(valid, crypto.randomUUID(), now, now);
    await tx.store.add(stored);
    return { status: 'added', example: toExample(stored) };
  });
}

/**
 * Replaces an example's editable fields. Throws ExampleNotFoundError if it is gone, and
 * DuplicateExampleError if the edit would make it identical to another example.
 */
export async function updateExample(
  db: AttuneDb,
  id: string,
  draft: unknown,
  now: number = Date.now(),
): Promise<Example> {
  const valid = requireValid(draft);
  return writeTransaction(db, ['examples'], async (tx) => {
    const current = await tx.store.get(id);
    if (!current) throw new ExampleNotFoundError(id);
    const duplicate = await findDuplicate(tx, valid);
    if (duplicate && duplicate.id !== id) throw new DuplicateExampleError(toExample(duplicate));
    // Where an example came from is not an editable field: an edit keeps it.
    const origin = valid.origin ?? current.origin;
    const stored = toStored(origin ? { ...valid, origin } : valid, id, current.createdAt, now);
    await tx.store.put(stored);
    return toExample(stored);
  });
}

/** Deletes examples and returns what was deleted, so the caller can offer Undo. */
export async function deleteExamples(db: AttuneDb, ids: readonly string[]): Promise<Example[]> {
  return writeTransaction(db, ['examples'], async (tx) => {
    const deleted: Example[] = [];
    for (const id of ids) {
      const record = await tx.store.get(id);
      if (!record) continue;
      await tx.store.delete(id);
      deleted.push(toExample(record));
    }
    return deleted;
  });
}

/**
 * Puts deleted examples back exactly as they were (same id and timestamps). An example whose
 * content was captured again in the meantime is skipped rather than duplicated.
 */
export async function restoreExamples(db: AttuneDb, examples: readonly Example[]): Promise<number> {
  return writeTransaction(db, ['examples'], async (tx) => {
    let restored = 0;
    for (const example of examples) {
      const valid = requireValid(example);
      if (await findDuplicate(tx, valid)) continue;
      await tx.store.put(toStored(valid, example.id, example.createdAt, example.updatedAt));
      restored++;
    }
    return restored;
  });
}

/**
 * Stores every item in ONE transaction: all are written or, on any failure, none. Items whose
 * content is already stored (or repeats earlier in the batch) are skipped and counted.
 */
export async function importExamples(
  db: AttuneDb,
  items: readonly ImportItem[],
  now: number = Date.now(),
): Promise<ImportResult> {
  // Validate and drop in-file repeats before the transaction opens: pure work stays outside it.
  const unique = new Map<string, { valid: ValidExampleDraft; createdAt: number }>();
  for (const [position, item] of items.entries()) {
    const valid = requireValid(item.draft);
    const key = exampleContentKey(valid);
    if (unique.has(key)) continue;
    // Without a recorded time, keep the file's order: earlier lines count as captured earlier.
    unique.set(key, { valid, createdAt: item.createdAt ?? now - (items.length - 1 - position) });
  }
  const batch = [...unique.values()];
  return writeTransaction(db, ['examples'], async (tx) => {
    // Issue every lookup, then every add, without waiting on each in turn: IndexedDB queues
    // them in order inside the one transaction, which is many times faster for big files.
    const existing = await allRequests(batch, ({ valid }) => findDuplicate(tx, valid));
    const fresh = batch.filter((_, i) => !existing[i]);
    await allRequests(fresh, ({ valid, createdAt }) =>
      tx.store.add(toStored(valid, crypto.randomUUID(), createdAt, now)),
    );
    return { added: fresh.length, duplicates: items.length - fresh.length };
  });
}

export async function getExample(db: AttuneDb, id: string): Promise<Example | undefined> {
  const record = await db.get('examples', id);
  return record && toExample(record);
}

export async function countExamples(db: AttuneDb): Promise<number> {
  return db.count('examples');
}

/** Examples matching the filter, newest first. Tag and site narrow through their indexes. */
export async function listExamples(db: AttuneDb, filter: ExampleFilter = {}): Promise<Example[]> {
  let records: StoredExample[];
  if (filter.tag) records = await db.getAllFromIndex('examples', 'byTag', filter.tag);
  else if (filter.site !== undefined && filter.site !== '') {
    records = await db.getAllFromIndex('examples', 'bySourceHost', filter.site);
  } else records = await db.getAllFromIndex('examples', 'byCreatedAt');
  const query = filter.query?.trim().toLowerCase() ?? '';
  return records
    .filter((r) => !filter.site || r.sourceHost === filter.site)
    .filter((r) => query === '' || matchesQuery(r, query))
    .sort(newestFirst)
    .map(toExample);
}

/** Every example, oldest first: the order an export file keeps. */
export async function allExamplesOldestFirst(db: AttuneDb): Promise<Example[]> {
  return (await db.getAllFromIndex('examples', 'byCreatedAt')).map(toExample);
}

/** Tags in use with their example counts, most used first. */
export async function listTags(db: AttuneDb): Promise<Facet[]> {
  const tx = db.transaction('examples');
  const index = tx.store.index('byTag');
  const facets: Facet[] = [];
  // Walk unique keys and count each: no example bodies are loaded.
  for (let cursor = await index.openKeyCursor(null, 'nextunique'); cursor; cursor = await cursor.continue()) {
    facets.push({ value: cursor.key, count: 0 });
  }
  for (const facet of facets) facet.count = await index.count(facet.value);
  await tx.done;
  return facets.sort(byCountThenValue);
}

/** Sites (hosts) examples came from, with counts, most used first. */
export async function listSites(db: AttuneDb): Promise<Facet[]> {
  const tx = db.transaction('examples');
  const index = tx.store.index('bySourceHost');
  const facets: Facet[] = [];
  for (let cursor = await index.openKeyCursor(null, 'nextunique'); cursor; cursor = await cursor.continue()) {
    if (cursor.key !== '') facets.push({ value: cursor.key, count: 0 });
  }
  for (const facet of facets) facet.count = await index.count(facet.value);
  await tx.done;
  return facets.sort(byCountThenValue);
}

function requireValid(value: unknown): ValidExampleDraft {
  const result = validateExample(value);
  if (!result.ok) throw new InvalidExampleError(result.problems);
  return result.draft;
}

async function findDuplicate(
  tx: WriteTx<['examples']>,
  draft: ValidExampleDraft,
): Promise<StoredExample | undefined> {
  const key = exampleContentKey(draft);
  const candidates = await tx.store.index('byDedupeHash').getAll(exampleDedupeHash(draft));
  return candidates.find((candidate) => exampleContentKey(candidate) === key);
}

function toStored(draft: ValidExampleDraft, id: string, createdAt: number, updatedAt: number): StoredExample {
  return {
    id,
    instruction: draft.instruction,
    input: draft.input,
    output: draft.output,
    tags: draft.tags,
    sourceUrl: draft.sourceUrl,
    sourceTitle: draft.sourceTitle,
    ...(draft.origin ? { origin: draft.origin } : {}),
    createdAt,
    updatedAt,
    sourceHost: hostOf(draft.sourceUrl),
    dedupeHash: exampleDedupeHash(draft),
  };
}

/** Strips the index-only fields so callers see the public Example shape. */
function toExample(record: StoredExample): Example {
  const { sourceHost: _host, dedupeHash: _hash, ...example } = record;
  return example;
}

function matchesQuery(record: StoredExample, query: string): boolean {
  return [record.instruction, record.input, record.output, record.sourceTitle].some((text) =>
    text.toLowerCase().includes(query),
  );
}

function newestFirst(a: StoredExample, b: StoredExample): number {
  return b.createdAt - a.createdAt || b.updatedAt - a.updatedAt;
}

function byCountThenValue(a: Facet, b: Facet): number {
  return b.count - a.count || a.value.localeCompare(b.value);
}
