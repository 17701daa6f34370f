// An adapter's versions (v1, v2, ...): continuing training adds one, restoring an old one adds one
// that copies it, so nothing is ever lost. The adapter record keeps a copy of the current
// version's config and weights (what chat, export and merge read); both stores change in one
// transaction, so the two never disagree.
import { AttuneError } from '../errors/attune-error';
import type { AttuneDb } from './db';
import type { AdapterRecord, AdapterVersionOrigin, AdapterVersionRecord } from './schema';
import { writeTransaction, type WriteTx } from './transaction';

export class AdapterVersionNotFoundError extends AttuneError {
  constructor(readonly adapterId: string, readonly version: number | null) {
    super(version === null ? 'error.adapter-not-found' : 'error.adapter-version-missing', version === null ? { id: adapterId } : { id: adapterId, version });
  }
}

export function versionKey(adapterId: string, version: number): string {
  return `${adapterId}#${version}`;
}

/** What a new version is made of: the weights, their figures and the examples behind them. */
export interface VersionContent {
  config: Record<string, unknown>;
  weights: ArrayBuffer;
  metrics?: AdapterRecord['metrics'];
  newExamples: number;
  replayedExamples: number;
  trainExampleIds: string[];
  heldOutExampleIds: string[];
}

/**
 * Version 1 of an adapter that has no stored versions (one imported, mixed or saved before
 * versions were kept): its current weights, with no example ids known.
 */
export function firstVersionOf(adapter: AdapterRecord): AdapterVersionRecord {
  const trained = adapter.metrics !== undefined && typeof adapter.metrics.steps === 'number';
  return {
    id: versionKey(adapter.id, 1),
    adapterId: adapter.id,
    version: 1,
    origin: trained ? 'trained' : 'saved',
    config: adapter.config,
    weights: adapter.weights,
    ...(adapter.metrics ? { metrics: adapter.metrics } : {}),
    createdAt: adapter.createdAt,
    newExamples: trained && typeof adapter.metrics?.trainExamples === 'number' ? adapter.metrics.trainExamples : 0,
    replayedExamples: 0,
    trainExampleIds: [],
    heldOutExampleIds: [],
  };
}

/** The adapter's versions, oldest first; an adapter without stored versions has its v1. */
export async function listAdapterVersions(db: AttuneDb, adapterId: string): Promise<AdapterVersionRecord[]> {
  const stored = await db.getAllFromIndex('adapterVersions', 'byAdapterId', adapterId);
  if (stored.length > 0) return stored.sort((a, b) => a.version - b.version);
  const adapter = await db.get('adapters', adapterId);
  return adapter ? [firstVersionOf(adapter)] : [];
}

/** The current version number of an adapter (1 for one saved before versions were kept). */
export function currentVersion(adapter: Pick<AdapterRecord, 'version'>): number {
  return adapter.version ?? 1;
}

/** A newly trained adapter: the record and its v1, together. */
export async function saveNewAdapterVersion(db: AttuneDb, adapter: AdapterRecord, content: Omit<VersionContent, 'config' | 'weights' | 'metrics'>): Promise<void> {
  const record: AdapterRecord = { ...adapter, version: 1 };
  await writeTransaction(db, ['adapters', 'adapterVersions'], async (tx) => {
    await tx.objectStore('adapters').put(record);
    await tx.objectStore('adapterVersions').put({ ...firstVersionOf(record), origin: 'trained', ...content });
  });
}

/** Continued training: the weights become the adapter's next version. Returns its number. */
export async function addTrainedVersion(db: AttuneDb, adapterId: string, content: VersionContent, now: number): Promise<number> {
  return addVersion(db, adapterId, now, 'continued', () => content);
}

/**
 * Makes version `version` current again. The restore is itself a new version (a copy of that
 * one, marked with where it came from), so the versions after it stay restorable.
 */
export async function restoreAdapterVersion(db: AttuneDb, adapterId: string, version: number, now: number): Promise<number> {
  return addVersion(db, adapterId, now, 'restored', (versions) => {
    const source = versions.find((v) => v.version === version);
    if (!source) throw new AdapterVersionNotFoundError(adapterId, version);
    const { config, weights, metrics, newExamples, replayedExamples, trainExampleIds, heldOutExampleIds } = source;
    return { config, weights, ...(metrics ? { metrics } : {}), newExamples, replayedExamples, trainExampleIds, heldOutExampleIds, restoredFrom: version };
  });
}

/** Deletes every stored version of an adapter, inside the caller's transaction. */
export async function deleteVersionsIn(tx: WriteTx<['adapters', 'adapterVersions']>, adapterId: string): Promise<void> {
  const store = tx.objectStore('adapterVersions');
  const keys = await store.index('byAdapterId').getAllKeys(adapterId);
  for (const key of keys) await store.delete(key);
}

async function addVersion(
  db: AttuneDb,
  adapterId: string,
  now: number,
  origin: AdapterVersionOrigin,
  make: (versions: AdapterVersionRecord[]) => VersionContent & { restoredFrom?: number },
): Promise<number> {
  return writeTransaction(db, ['adapters', 'adapterVersions'], async (tx) => {
    const adapters = tx.objectStore('adapters');
    const store = tx.objectStore('adapterVersions');
    const adapter = await adapters.get(adapterId);
    if (!adapter) throw new AdapterVersionNotFoundError(adapterId, null);
    const versions = (await store.index('byAdapterId').getAll(adapterId)).sort((a, b) => a.version - b.version);
    if (versions.length === 0) {
      // Its v1 is stored first, so the version being replaced stays restorable.
      const first = firstVersionOf(adapter);
      await store.put(first);
      versions.push(first);
    }
    const content = make(versions);
    const version = versions[versions.length - 1]!.version + 1;
    const { metrics, ...rest } = content;
    await store.put({ ...rest, ...(metrics ? { metrics } : {}), id: versionKey(adapterId, version), adapterId, version, origin, createdAt: now });
    const next: AdapterRecord = { ...adapter, config: content.config, weights: content.weights, version, updatedAt: now };
    if (metrics) next.metrics = metrics;
    else delete next.metrics;
    await adapters.put(next);
    return version;
  });
}
