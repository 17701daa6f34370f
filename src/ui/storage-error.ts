// What a page shows when it cannot open the database at start (dashboard, side panel, PWA).
// A blocked upgrade has its own sentence because it asks for one clear action (close the old
// tab); anything else shows the storage error as the catalogue words it.
import { errorCode } from '../errors/attune-error';
import { t } from '../i18n';
import { describeError } from './describe-error';

export type StoragePage = 'dashboard' | 'chat';

export function storageOpenErrorText(error: unknown, page: StoragePage): string {
  if (errorCode(error) === 'storage-blocked') return t(`${page}.storageBlocked`);
  return t(`${page}.storageError`, { reason: describeError(error) });
}
