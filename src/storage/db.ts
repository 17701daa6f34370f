// Opening the database: one cached connection per page or worker, upgraded through the ladder.

import { openDB, type IDBPDatabase } from 'idb';
import { runMigrations } from './migrations';
import { DB_NAME, DB_VERSION, type AttuneSchema } from './schema';
import { StorageUnavailableError } from './errors';

export type AttuneDb = IDBPDatabase<AttuneSchema>;

export interface OpenOptions {
  /** Database name; tests use a fresh one each. */
  name?: string;
  /** Schema version to open at; only tests open an older one, to exercise the ladder. */
  version?: number;
}

/** Opens (creating or upgrading as needed) an Attune database. */
export async function openAttuneDb(options: OpenOptions = {}): Promise<AttuneDb> {
  const name = options.name ?? DB_NAME;
  const version = options.version ?? DB_VERSION;
  let migrationError: unknown;
  try {
    const db = await openDB<AttuneSchema>(name, version, {
      upgrade(db, oldVersion, newVersion, tx) {
        // A failed rung aborts the whole upgrade: the database stays at its old version, intact.
        // The failure reaches the caller through openDB's rejection, not through tx.done.
        tx.done.catch(() => undefined);
        runMigrations(db, tx, oldVersion, newVersion ?? version).catch((error: unknown) => {
          migrationError = error;
          tx.abort();
        });
      },
      blocking() {
        // Another page wants a newer schema (the extension was updated): step aside.
        db.close();
        if (cached?.name === name) cached = undefined;
      },
    });
    return db;
  } catch (error) {
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
