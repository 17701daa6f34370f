// attune train --continue DIR [--replay OLD.jsonl --replay-count N]: continued training from the
// command line. The run warm-starts from a PEFT adapter folder (or zip) with that adapter's method
// and config, and trains --data plus a seeded sample of the older examples in --replay, as the
// extension does when it continues an adapter (docs/tuning.md, "Continuing an adapter").
import { UsageError, type FlagSpecs, type FlagValues } from './args';
import { adapterFromFlags } from './adapter-flag';
import { readExamples } from './read-examples';
import { defaultReplayCount, sampleReplay } from '../engine/host/training/replay';
import type { LoadedModel } from '../model';
import type { TrainingExample } from '../tuning/train/data';
import type { HostArray } from '../tuning/train/optimizer';
import { readVariables } from '../tuning/train/snapshot';
import type { MethodConfigMap, MethodName } from '../tuning/types';
import { getMethod } from '../tuning/registry';

export const CONTINUE_FLAGS: FlagSpecs = {
  continue: { type: 'string', description: "PEFT adapter folder (or .zip) to train further: starts from its weights, with its method and config" },
  replay: { type: 'string', description: 'older examples (JSONL) the adapter learned; a sample is trained again with --data so it does not forget them' },
  'replay-count': { type: 'integer', description: 'how many --replay examples to train again (default: as many as --data, at most 200)' },
};

export interface ContinueRun {
  method: MethodName;
  config: MethodConfigMap[MethodName];
  variables: Record<string, HostArray>;
  replay: TrainingExample[];
}

/** Refuses replay flags without --continue, before anything is read. */
export function checkContinueFlags(flags: FlagValues): void {
  if (!flags.continue && (flags.replay !== undefined || flags['replay-count'] !== undefined)) throw new UsageError('--replay and --replay-count need --continue');
  if (flags['replay-count'] !== undefined && !((flags['replay-count'] as number) >= 0)) throw new UsageError('--replay-count must be 0 or more');
}

/** The warm start and replay sample the flags ask for; null without --continue. */
export async function continueFromFlags(flags: FlagValues, model: LoadedModel, newCount: number, seed: number): Promise<ContinueRun | null> {
  if (!flags.continue) return null;
  const older = flags.replay ? readExamples(flags.replay as string) : [];
  const loaded = adapterFromFlags({ ...flags, adapter: flags.continue }, model)!;
  try {
    const refusal = getMethod(loaded.method).continueRefusal;
    if (refusal) throw new UsageError(`--continue ${String(flags.continue)}: a ${loaded.method} adapter cannot be trained further: ${refusal}. Train a new adapter instead.`);
    const count = flags['replay-count'] !== undefined ? (flags['replay-count'] as number) : defaultReplayCount(newCount);
    // Line numbers as ids: the same file and seed give the same sample.
    const picked = sampleReplay(older.map((_, i) => String(i).padStart(9, '0')), new Set(), count, seed);
    return { method: loaded.method, config: loaded.config, variables: await readVariables(loaded.trainable()), replay: picked.map((id) => older[Number(id)]!) };
  } finally {
    loaded.dispose();
  }
}
