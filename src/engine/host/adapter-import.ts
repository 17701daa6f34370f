// Importing a PEFT adapter zip: unzip, load it against the active model with the same checks as
// any PEFT folder (base model id, method, tensor shapes), then store the files as they came.
import type { AttuneDb } from '../../storage/db';
import { saveAdapter } from '../../storage/adapters-repo';
import { unzipAdapter } from '../../tuning/peft/zip';
import { AdapterFormatError } from '../../tuning/errors';
import { adapterRecordFromFiles, loadStoredAdapter } from './adapters';
import type { ModelCache } from './models';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from '../../tuning/peft/layout';
import { base64ToBytes } from '../protocol/base64';

/** Bigger than any adapter of a model this engine runs; Chrome's message limit is 64 MiB. */
const MAX_ZIP_BASE64 = 48 * 1024 * 1024;

export async function importAdapterZip(
  models: ModelCache,
  db: AttuneDb,
  payload: { name: string; zipBase64: string },
  now: number,
  newId: () => string,
): Promise<{ adapterId: string; name: string }> {
  if (payload.zipBase64.length > MAX_ZIP_BASE64) throw new AdapterFormatError('the file is larger than 36 MB, too large for an adapter of this model');
  const zip = base64ToBytes(payload.zipBase64);
  if (!zip) throw new AdapterFormatError('the file did not arrive intact (bad base64)');
  const files = unzipAdapter(zip);
  for (const name of [ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE]) {
    if (!files.has(name)) throw new AdapterFormatError(`the zip has no ${name}`);
  }
  return models.use(async (active) => {
    const probe = { config: parseConfig(files.get(ADAPTER_CONFIG_FILE)!), weights: new Uint8Array(files.get(ADAPTER_WEIGHTS_FILE)!).buffer };
    // Loading is the validation: it throws AdapterMismatchError / AdapterFormatError with the reason.
    const adapter = loadStoredAdapter({ ...probe, id: '', name: '', method: '', modelId: active.id, createdAt: 0, updatedAt: 0 }, active);
    const method = adapter.method;
    adapter.dispose();
    const name = payload.name.trim() || `Imported ${method} adapter`;
    const record = adapterRecordFromFiles(files, method, { id: newId(), name, modelId: active.id, now });
    await saveAdapter(db, record);
    return { adapterId: record.id, name };
  });
}

function parseConfig(bytes: Uint8Array): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new AdapterFormatError(`${ADAPTER_CONFIG_FILE} is not a JSON object`);
}
