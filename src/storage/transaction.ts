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

/**
 * Issues one request per item without waiting on each in turn (IndexedDB runs them in order
 * within the transaction, far faster than a round trip each), then waits for all of them. Every
 * request's failure is observed, and the root cause is reported rather than the AbortErrors the
 * other requests get once the transaction aborts.
 */
export async function allRequests<I, T>(items: readonly I[], request: (item: I) => Promise<T>): Promise<T[]> {
  const pending: Promise<T>[] = [];
  try {
    for (const item of items) pending.push(request(item));
  } catch (error) {
    for (const p of pending) p.catch(() => undefined);
    throw error;
  }
  const settled = await Promise.allSettled(pending);
  const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) throw failures.find((e) => (e as { name?: unknown })?.name !== 'AbortError') ?? failures[0];
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}
