// attune mix: a weighted mix of LoRA adapters (PEFT add_weighted_adapter, `linear` or `svd`),
// written as a new PEFT adapter folder. The model is loaded because adapters are checked against
// the base they were trained on, as everywhere else.
import type { Command } from '../command';
import { UsageError, type FlagValues } from '../args';
import { baseModelIdFor } from '../adapter-flag';
import { loadFromFlags, MODEL_FLAGS } from '../common-flags';
import { checkOutputFolder } from '../output-folder';
import { LoraAdapter } from '../../tuning/methods/lora/method';
import { MIX_COMBINATIONS, mixLora, type MixCombination, type MixPart } from '../../tuning/methods/lora/mix';
import { exportAdapter, importAdapter } from '../../tuning/peft/files';
import { readAdapterPath, writeAdapterDirectory } from '../../tuning/peft/node-dir';
import type { Adapter } from '../../tuning/types';

interface MixSpec {
  path: string;
  weight: number;
}

export const mixCommand: Command = {
  name: 'mix',
  summary: 'Mix LoRA adapters with weights (PEFT add_weighted_adapter) into a new PEFT adapter folder',
  flags: {
    ...MODEL_FLAGS,
    adapter: { type: 'string', multiple: true, required: true, description: 'an adapter folder (or .zip) and its weight, FOLDER:WEIGHT (weight 1 when left out); repeat for each adapter' },
    combination: { type: 'string', description: 'linear (same ranks; A and B mixed separately, as PEFT) | svd (the weighted updates summed, then truncated by SVD; default, as PEFT)' },
    rank: { type: 'integer', description: 'svd only: rank of the mix (default: the largest rank mixed)' },
    out: { type: 'string', required: true, description: 'folder to write the mixed adapter_config.json + adapter_model.safetensors' },
  },
  async run(flags, io) {
    // Everything the flags say is checked before the model loads.
    const specs = (flags.adapter as string[]).map(parseSpec);
    const combination = parseCombination(flags);
    const rank = flags.rank as number | undefined;
    if (rank !== undefined && rank < 1) throw new UsageError('--rank must be at least 1');
    const out = checkOutputFolder(flags.out as string);
    const model = await loadFromFlags(flags, io);
    const adapters: Adapter[] = [];
    try {
      const context = { model: model.config, weights: model.weights, baseModelId: baseModelIdFor(flags.model as string), seed: 0 };
      const parts: MixPart[] = specs.map((spec) => {
        const adapter = importAdapter(readAdapterPath(spec.path), context);
        adapters.push(adapter);
        if (!(adapter instanceof LoraAdapter)) throw new UsageError(`${spec.path} is a ${adapter.method} adapter; only LoRA adapters can be mixed`);
        return { adapter, weight: spec.weight };
      });
      const mixed = mixLora(parts, { combination, ...(rank === undefined ? {} : { rank }) }, context);
      adapters.push(mixed);
      writeAdapterDirectory(out, await exportAdapter(mixed));
      io.out(`mixed ${parts.length} adapter${parts.length === 1 ? '' : 's'} (${parts.length === 1 ? 'linear' : combination}) into ${out}: rank ${mixed.config.r}, ${mixed.modules().length} modules, ${mixed.parameterCount()} parameters\n`);
    } finally {
      adapters.forEach((a) => a.dispose());
      model.dispose();
    }
  },
};

function parseSpec(value: string): MixSpec {
  const colon = value.lastIndexOf(':');
  const weightText = colon < 0 ? '' : value.slice(colon + 1);
  // A colon inside a path (C:\...) is not a weight: only a number after the last colon is.
  if (colon < 0 || weightText === '' || !Number.isFinite(Number(weightText))) {
    if (colon >= 0 && weightText !== '' && /^[-+.\d eE]+$/.test(weightText)) throw new UsageError(`--adapter ${value}: the weight "${weightText}" is not a number`);
    return { path: value, weight: 1 };
  }
  return { path: value.slice(0, colon), weight: Number(weightText) };
}

function parseCombination(flags: FlagValues): MixCombination {
  const value = (flags.combination as string | undefined) ?? 'svd';
  if (!(MIX_COMBINATIONS as readonly string[]).includes(value)) throw new UsageError(`--combination must be ${MIX_COMBINATIONS.join(' or ')}, got "${value}"`);
  return value as MixCombination;
}
