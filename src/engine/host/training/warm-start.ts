// Warm start: a continued run begins from the adapter's current weights. The stored adapter is
// loaded as chat loads it, and its trainable values are copied into the run's fresh adapter the
// way a checkpoint is restored (snapshot.ts), so the run starts with exactly its outputs.
import type { AttuneDb } from '../../../storage/db';
import { getAdapter } from '../../../storage/adapters-repo';
import { AdapterVersionNotFoundError } from '../../../storage/adapter-versions-repo';
import type { TrainingExample } from '../../../tuning/train/data';
import type { HostArray } from '../../../tuning/train/optimizer';
import { readVariables } from '../../../tuning/train/snapshot';
import type { MethodConfigMap, MethodName } from '../../../tuning/types';
import { getMethod } from '../../../tuning/registry';
import type { Adapter } from '../../../tuning/types';
import { adapterContext, loadStoredAdapter } from '../adapters';
import { EngineError } from '../errors';
import type { ActiveModel } from '../models';
import type { ContinuationPlan } from './continuation-record';
import { examplesById } from './example-selection';

export interface WarmStart {
  /** The adapter's own config: the continued run keeps its layout (rank, targets, ...). */
  config: MethodConfigMap[MethodName];
  /** Its trainable values, by the keys the method's fresh adapter uses. */
  variables: Record<string, HostArray>;
  /** The held-out examples the continuation measures on. */
  heldOut: TrainingExample[];
}

export async function warmStartFor(db: AttuneDb, plan: ContinuationPlan, active: ActiveModel): Promise<WarmStart> {
  const record = await getAdapter(db, plan.adapterId);
  if (!record) throw new AdapterVersionNotFoundError(plan.adapterId, null);
  const heldOut = await examplesById(db, plan.heldOutIds);
  const loaded = loadStoredAdapter(record, active);
  try {
    assertRestorable(record.name, loaded, active);
    return { config: loaded.config, variables: await readVariables(loaded.trainable()), heldOut };
  } finally {
    loaded.dispose();
  }
}

/** Refuses before a run when the adapter cannot be continued (see assertRestorable). */
export async function checkWarmStart(db: AttuneDb, adapterId: string, active: ActiveModel): Promise<void> {
  const record = await getAdapter(db, adapterId);
  if (!record) throw new AdapterVersionNotFoundError(adapterId, null);
  const loaded = loadStoredAdapter(record, active);
  try {
    assertRestorable(record.name, loaded, active);
  } finally {
    loaded.dispose();
  }
}

/**
 * A stored adapter can be trained further only when its method says so (`continueRefusal`) and its
 * files restore the same trainable variables a fresh adapter has.
 */
function assertRestorable(name: string, loaded: Adapter, active: ActiveModel): void {
  const refusal = getMethod(loaded.method).continueRefusal;
  if (refusal) throw new EngineError('error.cannot-continue', { name, reason: refusal });
  const fresh = getMethod(loaded.method).create(loaded.config, adapterContext(active));
  try {
    const keys = (adapter: Adapter) => adapter.trainable().map((v) => v.key).sort().join('\n');
    if (keys(fresh) !== keys(loaded)) {
      throw new EngineError('error.cannot-continue', { name, reason: 'its saved files do not hold every variable training updates' });
    }
  } finally {
    fresh.dispose();
  }
}
