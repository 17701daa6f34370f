// Continuing an adapter's training: which examples the next version trains on (the new ones and a
// replay sample of older ones) and which it is measured on (the held-out examples of every
// earlier version, plus a share of the new ones), from the example ids each version recorded.
import type { AttuneDb } from '../../../storage/db';
import { getAdapter } from '../../../storage/adapters-repo';
import { AdapterVersionNotFoundError, currentVersion, listAdapterVersions } from '../../../storage/adapter-versions-repo';
import { allExamplesOldestFirst } from '../../../storage/examples-repo';
import type { AdapterVersionRecord } from '../../../storage/schema';
import { getTrainingRun } from '../../../storage/training-runs-repo';
import { isMethodName } from '../../../tuning/registry';
import { splitExamples } from '../../../tuning/train/data';
import type { ContinuationSummary, ExampleSelection } from '../../protocol/types';
import { EngineError } from '../errors';
import type { ContinuationPlan } from './continuation-record';
import { selectExamples } from './example-selection';
import { defaultReplayCount, sampleReplay } from './replay';


/** The examples a version trained on and was measured on. */
export interface VersionExamples {
  train: string[];
  heldOut: string[];
}

/**
 * A version's example ids. Versions saved before ids were recorded (adapters from before
 * versions existed) get them from their training run: the same split of the same ids the run made.
 */
export async function versionExamples(db: AttuneDb, version: AdapterVersionRecord): Promise<VersionExamples> {
  if (version.trainExampleIds.length > 0 || version.heldOutExampleIds.length > 0) {
    return { train: version.trainExampleIds, heldOut: version.heldOutExampleIds };
  }
  const runId = version.metrics?.runId;
  const run = typeof runId === 'string' ? await getTrainingRun(db, runId) : undefined;
  const config = run?.config as { exampleIds?: unknown; settings?: { seed?: unknown } } | undefined;
  if (!config || !Array.isArray(config.exampleIds)) return { train: [], heldOut: [] };
  const ids = config.exampleIds.filter((id): id is string => typeof id === 'string');
  const seed = typeof config.settings?.seed === 'number' ? config.settings.seed : 1;
  const split = splitExamples(ids, seed);
  return { train: split.train, heldOut: split.heldOut };
}

/**
 * The next version's data: the selected examples no version has seen are new (a tenth of them
 * held out when there are enough, as for a first run); held-out examples of earlier versions stay
 * held out; `replayCount` older training examples (default: as many as new ones, capped) are
 * drawn with `seed`, never from held-out ones. Refuses when nothing is new.
 */
export async function planContinuation(
  db: AttuneDb,
  adapterId: string,
  selection: ExampleSelection,
  seed: number,
  replayCount?: number,
): Promise<ContinuationPlan> {
  const adapter = await getAdapter(db, adapterId);
  if (!adapter) throw new AdapterVersionNotFoundError(adapterId, null);
  if (!isMethodName(adapter.method)) throw new EngineError('error.cannot-continue', { name: adapter.name, reason: `its method "${adapter.method}" is unknown` });
  const seenTrain = new Set<string>();
  const seenHeldOut = new Set<string>();
  for (const version of await listAdapterVersions(db, adapterId)) {
    const ids = await versionExamples(db, version);
    ids.train.forEach((id) => seenTrain.add(id));
    ids.heldOut.forEach((id) => seenHeldOut.add(id));
  }
  const fresh = (await selectExamples(db, selection)).map((e) => e.id).filter((id) => !seenTrain.has(id) && !seenHeldOut.has(id));
  const fromVersion = currentVersion(adapter);
  if (fresh.length === 0) throw new EngineError('error.no-new-examples', { name: adapter.name, version: fromVersion });
  const existing = new Set((await allExamplesOldestFirst(db)).map((e) => e.id));
  const split = splitExamples(fresh, seed);
  const heldOutIds = [...[...seenHeldOut].filter((id) => existing.has(id) && !seenTrain.has(id)), ...split.heldOut];
  const exclude = new Set([...heldOutIds, ...seenHeldOut, ...fresh]);
  const candidates = [...seenTrain].filter((id) => existing.has(id));
  const replayIds = sampleReplay(candidates, exclude, replayCount ?? defaultReplayCount(split.train.length), seed);
  return { adapterId, name: adapter.name, method: adapter.method, fromVersion, newIds: split.train, replayIds, heldOutIds };
}

/** What the Train view shows of a continuation before and during the run. */
export function continuationSummary(plan: ContinuationPlan): ContinuationSummary {
  return {
    adapterId: plan.adapterId,
    name: plan.name,
    fromVersion: plan.fromVersion,
    toVersion: plan.fromVersion + 1,
    newCount: plan.newIds.length,
    replayCount: plan.replayIds.length,
    heldOutCount: plan.heldOutIds.length,
  };
}
