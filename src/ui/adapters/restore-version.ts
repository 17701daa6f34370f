// Restoring a version from the Adapters view: the storage write and the message saying what it did.
import '../../i18n/versions';
import { t } from '../../i18n';
import type { AttuneDb } from '../../storage/db';
import { restoreAdapterVersion } from '../../storage/adapter-versions-repo';
import type { AdapterRecord } from '../../storage/schema';

/** Makes `version` current (as a new version copying it); returns the toast text. */
export async function restoreVersion(db: AttuneDb, record: AdapterRecord, version: number): Promise<string> {
  const made = await restoreAdapterVersion(db, record.id, version, Date.now());
  return t('versions.restored', { from: version, name: record.name, version: made });
}
