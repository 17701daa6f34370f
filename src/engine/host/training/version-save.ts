// Where a finished run's weights go: a new adapter with its v1, or (continued training) the next
// version of the adapter it continued. Either way the version records the example ids it trained
// and was measured on, which the next continuation reads to tell new examples from old.
import type { AttuneDb } from '../../../storage/db';
import { addTrainedVersion, saveNewAdapterVersion } from '../../../storage/adapter-versions-repo';
import type { AdapterRecord } from '../../../storage/schema';
import { splitExamples } from '../../../tuning/train/data';
import type { RunPlan } from './run-plan';

/** Saves the run's adapter record; returns the version it became. */
export async function saveRunVersion(db: AttuneDb, plan: RunPlan, record: AdapterRecord, seed: number, now: number): Promise<number> {
  const continuation = plan.continuation;
  if (!continuation) {
    // A first run split its examples itself (planTraining): the same split of the same ids.
    const split = splitExamples(plan.exampleIds, seed);
    await saveNewAdapterVersion(db, record, {
      newExamples: split.train.length,
      replayedExamples: 0,
      trainExampleIds: split.train,
      heldOutExampleIds: split.heldOut,
    });
    return 1;
  }
  return addTrainedVersion(
    db,
    continuation.adapterId,
    {
      config: record.config,
      weights: record.weights,
      ...(record.metrics ? { metrics: record.metrics } : {}),
      newExamples: continuation.newIds.length,
      replayedExamples: continuation.replayIds.length,
      trainExampleIds: [...continuation.newIds, ...continuation.replayIds],
      heldOutExampleIds: continuation.heldOutIds,
    },
    now,
  );
}
