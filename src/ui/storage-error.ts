// What a page shows when it cannot open the database at start (dashboard, side panel, PWA).
// A blocked upgrade has its own sentence, in the user's language, because it asks for one clear
// action (close the old tab); anything else shows the storage error's own message.
import { t } from '../i18n';
import { StorageBlockedError } from '../storage/errors';

export type StoragePage = 'dashboard' | 'chat';

export function storageOpenErrorText(error: unknown, page: StoragePage): string {
  if (error instanceof StorageBlockedError) return t(`${page}.storageBlocked`);
  return t(`${page}.storageError`, { reason: error instanceof Error ? error.message : String(error) });
}
