// Opening the database: one cached connection per page or worker, upgraded through the ladder.

import { openDB, type IDBPDatabase } from 'idb';
import { runMigrations } from './migrations';
import { DB_NAME, DB_VERSION, type AttuneSchema } from './schema';
import { StorageBlockedError, StorageUnavailableError } from './errors';

export type AttuneDb = IDBPDatabase<AttuneSchema>;

export interface OpenOptions {
  /** Database name; tests use a fresh one each. */
  name?: string;
  /** Schema version to open at; only tests open an older one, to exercise the ladder. */
  version?: number;
}

/**
 * Opens (creating or upgrading as needed) an Attune database. When an upgrade is blocked by a
 * connection that ignores `versionchange` (a page of an older Attune), rejects with
 * StorageBlockedError instead of waiting for that page to close.
 */
export async function openAttuneDb(options: OpenOptions = {}): Promise<AttuneDb> {
  const name = options.name ?? DB_NAME;
  const version = options.version ?? DB_VERSION;
  let migrationError: unknown;
  let reportBlocked!: (error: StorageBlockedError) => void;
  const blocked = new Promise<never>((_, reject) => (reportBlocked = reject));
  blocked.catch(() => undefined); // observed through the race below
  const opening = openDB<AttuneSchema>(name, version, {
    upgrade(db, oldVersion, newVersion, tx) {
      // A failed rung aborts the whole upgrade: the database stays at its old version, intact.
      // The failure reaches the caller through openDB's rejection, not through tx.done.
      tx.done.catch(() => undefined);
      runMigrations(db, tx, oldVersion, newVersion ?? version).catch((error: unknown) => {
        migrationError = error;
        tx.abort();
      });
    },
    blocked() {
      // The request stays queued until the old connection closes, which may be never.
      reportBlocked(new StorageBlockedError());
    },
    blocking(_current, _next, event) {
      // Another page wants a newer schema (the extension was updated): step aside, at once, so
      // its upgrade is not blocked.
      (event.target as IDBDatabase).close();
      if (cached?.name === name) cached = undefined;
    },
  });
  try {
    return await Promise.race([opening, blocked]);
  } catch (error) {
    if (error instanceof StorageBlockedError) {
      // The queued request completes (upgrading the database) once the old page closes. Nobody
      // holds that late connection, so close it; a reload or retry then opens normally.
      opening.then((db) => db.close(), () => undefined);
      throw error;
    }
    throw new StorageUnavailableError(migrationError ?? error);
  }
}

let cached: { name: string; db: Promise<AttuneDb> } | undefined;

/** The app-wide connection, opened once per context and reopened after `blocking` closed it. */
export function getAttuneDb(): Promise<AttuneDb> {
  if (!cached) {
    const db = openAttuneDb();
    cached = { name: DB_NAME, db };
    db.catch(() => {
      cached = undefined; // let the next call retry instead of caching the failure
    });
  }
  return cached.db;
}
