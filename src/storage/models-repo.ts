// Base models kept on the device (the bundled default and any the user imported).

import type { AttuneDb } from './db';
import type { ModelRecord } from './schema';
import { writeTransaction } from './transaction';

export async function saveModel(db: AttuneDb, model: ModelRecord): Promise<void> {
  await writeTransaction(db, ['models'], async (tx) => {
    await tx.store.put(model);
  });
}

export async function getModel(db: AttuneDb, id: string): Promise<ModelRecord | undefined> {
  return db.get('models', id);
}

export async function listModels(db: AttuneDb): Promise<ModelRecord[]> {
  return (await db.getAll('models')).sort((a, b) => a.createdAt - b.createdAt);
}

/** Deletes a model and every adapter trained on it (an adapter is useless without its base). */
export async function deleteModel(db: AttuneDb, id: string): Promise<void> {
  await writeTransaction(db, ['models', 'adapters'], async (tx) => {
    await tx.objectStore('models').delete(id);
    const adapterIds = await tx.objectStore('adapters').index('byModelId').getAllKeys(id);
    for (const adapterId of adapterIds) await tx.objectStore('adapters').delete(adapterId);
  });
}
