// When a run writes its checkpoint (a trainer snapshot in the run's IndexedDB record): every few
// steps or seconds, so an interruption loses little, and not after every step, which would
// spend the run's time writing.

export interface CheckpointPolicy {
  /** Write a checkpoint after this many optimizer steps... */
  everySteps: number;
  /** ...or after this much time, whichever comes first. */
  everyMs: number;
}

export const DEFAULT_CHECKPOINTS: CheckpointPolicy = { everySteps: 5, everyMs: 10_000 };

export interface LastCheckpoint {
  step: number;
  /** When it was written (or last attempted), in the engine clock's milliseconds. */
  at: number;
}

/**
 * Whether a checkpoint is due at `step`. A paused run writes one at once, so a closed browser
 * brings it back paused where it stopped.
 */
export function isCheckpointDue(policy: CheckpointPolicy, last: LastCheckpoint, step: number, now: number, paused: boolean): boolean {
  if (step <= last.step) return false;
  return paused || step - last.step >= policy.everySteps || now - last.at >= policy.everyMs;
}
