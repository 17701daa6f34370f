// Trained adapters. The tuning area decides what goes in config and weights; this module only
// keeps them, transactionally.

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
