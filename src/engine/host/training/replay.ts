// Replay: when an adapter is trained further on new examples, a sample of the examples its earlier
// versions trained on goes along, so the new run does not wear away what they taught
// (rehearsal against catastrophic forgetting). Pure and seeded: the same inputs give the same
// sample, and held-out examples are never drawn, so held-out figures stay honest across versions.
import { Rng } from '../../../tuning/rng';

/** At most this many older examples are replayed unless the person asks for another number. */
export const MAX_DEFAULT_REPLAY = 200;

/** One older example per new one (as many old as new), capped: the default mix. */
export function defaultReplayCount(newTrainCount: number): number {
  return Math.min(newTrainCount, MAX_DEFAULT_REPLAY);
}

/**
 * `count` ids drawn without replacement from `candidates` (duplicates and ids in `exclude`
 * dropped first), in a seeded order that does not depend on the candidates' order.
 */
export function sampleReplay(candidates: readonly string[], exclude: ReadonlySet<string>, count: number, seed: number): string[] {
  const pool = [...new Set(candidates)].filter((id) => !exclude.has(id)).sort();
  const wanted = Math.max(0, Math.min(Math.floor(count), pool.length));
  return new Rng(seed ^ 0x7e91a7).shuffle(pool).slice(0, wanted);
}
