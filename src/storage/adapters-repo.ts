// Trained adapters. The tuning area decides what goes in config and weights; this module only
// keeps them, transactionally.

import { validateBindings, type AdapterBindings } from '../binding/bindings';
import { deleteVersionsIn } from './adapter-versions-repo';
import type { AttuneDb } from './db';
import type { AdapterRecord } from './schema';
import { writeTransaction } from './transaction';

export async function saveAdapter(db: AttuneDb, adapter: AdapterRecord): Promise<void> {
  await writeTransaction(db, ['adapters'], async (tx) => {
    await tx.store.put(adapter);
  });
}

export async function getAdapter(db: AttuneDb, id: string): Promise<AdapterRecord | undefined> {
  return db.get('adapters', id);
}

/** Adapters, newest first; only those trained on `modelId` when given. */
export async function listAdapters(db: AttuneDb, modelId?: string): Promise<AdapterRecord[]> {
  const records =
    modelId === undefined
      ? await db.getAllFromIndex('adapters', 'byCreatedAt')
      : await db.getAllFromIndex('adapters', 'byModelId', modelId);
  return records.sort((a, b) => b.createdAt - a.createdAt);
}

/** Deletes the adapter with all its versions. */
export async function deleteAdapter(db: AttuneDb, id: string): Promise<void> {
  await writeTransaction(db, ['adapters', 'adapterVersions'], async (tx) => {
    await tx.objectStore('adapters').delete(id);
    await deleteVersionsIn(tx, id);
  });
}

/**
 * Replaces what an adapter is bound to (site patterns and tags), validated and normalised first
 * so a bad pattern is refused with its own message and nothing is half-written. Returns the
 * stored bindings; undefined when the adapter no longer exists.
 */
export async function setAdapterBindings(
  db: AttuneDb,
  id: string,
  bindings: { sites?: unknown; tags?: unknown },
): Promise<AdapterBindings | undefined> {
  const valid = validateBindings(bindings);
  let stored: AdapterBindings | undefined;
  await writeTransaction(db, ['adapters'], async (tx) => {
    const record = await tx.store.get(id);
    if (!record) return;
    const { sites: _sites, tags: _tags, ...rest } = record;
    await tx.store.put({
      ...rest,
      ...(valid.sites.length > 0 ? { sites: valid.sites } : {}),
      ...(valid.tags.length > 0 ? { tags: valid.tags } : {}),
    });
    stored = valid;
  });
  return stored;
}

/** An adapter's bindings as stored (empty lists when it has none). */
export function bindingsOf(record: Pick<AdapterRecord, 'sites' | 'tags'>): AdapterBindings {
  return { sites: record.sites ?? [], tags: record.tags ?? [] };
}
