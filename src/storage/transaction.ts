// The one way repositories write: a readwrite transaction whose work touches only that
// transaction, committed with `await tx.done`, aborted as a whole on any failure so nothing is
// half-written, and with quota failures turned into StorageFullError.

import type { IDBPTransaction, StoreNames } from 'idb';
import type { AttuneDb } from './db';
import { mapStorageError } from './errors';
import type { AttuneSchema } from './schema';

export type WriteTx<S extends StoreNames<AttuneSchema>[]> = IDBPTransaction<AttuneSchema, S, 'readwrite'>;

export async function writeTransaction<const S extends StoreNames<AttuneSchema>[], T>(
  db: AttuneDb,
  stores: S,
  work: (tx: WriteTx<S>) => Promise<T>,
): Promise<T> {
  const tx = db.transaction(stores, 'readwrite');
  // tx.done also rejects when we abort below; that failure is reported through `work`'s error.
  tx.done.catch(() => undefined);
  try {
    const result = await work(tx);
    await tx.done;
    return result;
  } catch (error) {
    abortQuietly(tx);
    throw mapStorageError(error);
  }
}

function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted by the browser (e.g. on a quota failure): nothing to undo.
  }
}
