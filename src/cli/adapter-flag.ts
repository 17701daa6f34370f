// --adapter <dir | .zip> for the model commands (generate, logits, eval): loads a PEFT adapter folder (or its zip)
// for the loaded model and returns its inference hooks. Owned by the tuning area.
import { basename, resolve } from 'node:path';
import type { FlagSpecs, FlagValues } from './args';
import type { LoadedModel } from '../model';
import type { ForwardHooks } from '../model/types';
import { importAdapter } from '../tuning/peft/files';
import { readAdapterPath } from '../tuning/peft/node-dir';
import type { Adapter } from '../tuning/types';
import { BUNDLED_MODEL_ID } from '../model-store/bundled';

export const ADAPTER_FLAGS: FlagSpecs = {
  adapter: { type: 'string', description: 'PEFT adapter folder (adapter_config.json + adapter_model.safetensors), or its .zip, to apply' },
};

/** The id adapters record as `base_model_name_or_path`: "bundled" for the default model, else the folder name. */
export function baseModelIdFor(modelFlag: string): string {
  return modelFlag === 'default' ? BUNDLED_MODEL_ID : basename(resolve(modelFlag));
}

/** The adapter the flags name, or null. Dispose it after use. */
export function adapterFromFlags(flags: FlagValues, model: LoadedModel): Adapter | null {
  const dir = flags.adapter as string | undefined;
  if (!dir) return null;
  const tokenizer = model.tokenizer;
  return importAdapter(readAdapterPath(dir), {
    model: model.config,
    weights: model.weights,
    baseModelId: baseModelIdFor(flags.model as string),
    seed: 0,
    encode: tokenizer ? (text) => tokenizer.encode(text, { addSpecialTokens: false }) : undefined,
  });
}

/** Inference hooks of the flagged adapter (undefined without --adapter). */
export function inferenceHooks(adapter: Adapter | null): ForwardHooks | undefined {
  return adapter?.hooks({ training: false });
}
