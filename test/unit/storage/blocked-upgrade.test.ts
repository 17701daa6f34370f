// An upgrade blocked by a page of an older Attune: a connection at the previous schema version
// that ignores `versionchange` (raw idb registers no handler, like an old build that never
// stepped aside). The new page must not wait forever: it is told what to close, and once that
// page is gone, opening again succeeds with the data intact.
import './helpers';
import { openDB } from 'idb';
import { afterEach, expect, test } from 'vitest';
import { setLocale } from '../../../src/i18n';
import '../../../src/i18n/chat';
import '../../../src/i18n/dashboard';
import { getAttuneDb, openAttuneDb } from '../../../src/storage/db';
import { StorageBlockedError, StorageUnavailableError } from '../../../src/storage/errors';
import { listExamples } from '../../../src/storage/examples-repo';
import { DB_NAME, DB_VERSION } from '../../../src/storage/schema';
import { storageOpenErrorText } from '../../../src/ui/storage-error';
import { freshDbName } from './helpers';

const EXAMPLE = { id: 'kept', instruction: 'Say hi', input: '', output: 'Hi', tags: [], sourceUrl: '', sourceTitle: '', createdAt: 1, updatedAt: 1 };

/** A database at the previous version, held open by a connection that never closes by itself. */
async function oldTabHolding(name: string) {
  const previous = await openAttuneDb({ name, version: DB_VERSION - 1 });
  previous.close();
  const old = await openDB(name, DB_VERSION - 1);
  await old.put('examples', EXAMPLE);
  return old;
}

afterEach(() => setLocale('en'));

// A short timeout: without the fix the open waits for the old connection forever.
test('opening at the new version rejects with "storage-blocked" instead of hanging, and a retry after the old tab closes succeeds', { timeout: 5_000 }, async () => {
  const name = freshDbName();
  const old = await oldTabHolding(name);

  const error = await openAttuneDb({ name }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StorageBlockedError);
  expect(error).toBeInstanceOf(StorageUnavailableError); // callers that catch the general case still do
  expect((error as StorageBlockedError).code).toBe('storage-blocked');
  expect((error as Error).message).toBe('Another Attune tab or window is still open with an older version; close it, then reload.');
  expect(old.version).toBe(DB_VERSION - 1); // nothing changed under the old page

  old.close();
  const db = await openAttuneDb({ name });
  expect(db.version).toBe(DB_VERSION);
  expect((await listExamples(db)).map((e) => e.id)).toEqual(['kept']);
  db.close();
});

test('the app-wide connection does not cache the blocked failure: the next call opens once the old tab is closed', { timeout: 5_000 }, async () => {
  const old = await oldTabHolding(DB_NAME);
  await expect(getAttuneDb()).rejects.toMatchObject({ code: 'storage-blocked' });
  old.close();
  const db = await getAttuneDb();
  expect(db.version).toBe(DB_VERSION);
  expect((await listExamples(db)).map((e) => e.id)).toEqual(['kept']);
  expect(await getAttuneDb()).toBe(db);
});

test('a current page steps aside for a newer version, so its upgrade is not blocked', { timeout: 5_000 }, async () => {
  const name = freshDbName();
  const current = await openAttuneDb({ name });
  // A later release opens one version up (plain idb: its schema does not exist yet).
  const newer = await openDB(name, DB_VERSION + 1, { blocked: () => expect.fail('the current page blocked the upgrade') });
  expect(newer.version).toBe(DB_VERSION + 1);
  await expect(current.get('examples', 'x')).rejects.toThrow(); // closed
  newer.close();
});

test('pages show the blocked message in the user language; other failures keep their reason', () => {
  const blocked = new StorageBlockedError();
  expect(storageOpenErrorText(blocked, 'dashboard')).toBe('Another Attune tab or window is still open with an older version; close it, then reload.');
  expect(storageOpenErrorText(new StorageUnavailableError(new Error('disk')), 'chat')).toMatch(/^The chat could not open its local storage: Attune could not open its local database \(Error: disk\)/);
  setLocale('zh_CN');
  expect(storageOpenErrorText(blocked, 'dashboard')).toBe('另一个 Attune 标签页或窗口仍在运行旧版本；请关闭它，然后重新加载。');
  expect(storageOpenErrorText(blocked, 'chat')).toBe('另一个 Attune 标签页或窗口仍在运行旧版本；请关闭它，然后重新加载。');
});
