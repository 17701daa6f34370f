// LN tuning (Zhao et al. 2023, "Tuning LayerNorm in Attention") with PEFT's semantics
// (peft/tuners/ln_tuning): each targeted normalisation layer is replaced by a trainable copy of
// itself (LNTuningLayer deep-copies the layer), so a fresh adapter is the base model exactly.
// PEFT saves the copy's parameters as `base_model.model.<module>.ln_tuning_layers.weight` (and
// `.bias` for LayerNorm); merging swaps the copy in for the base layer, i.e. replaces the weights.
import type * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../../model/types';
import { BaseWeightAdapter } from '../../base-weight-adapter';
import { BaseWeightCopies } from '../../base-weight-copies';
import { AdapterMismatchError } from '../../errors';
import { normParameterNames } from '../../model-norms';
import { checkBaseModel, commonPeftFields, refuseImpossibleValues } from '../../peft/common';
import type { AdapterContext, PeftAdapter, TuningMethod } from '../../types';
import { defaultLnTuningConfig, lnTuningFromPeftFields, lnTuningToPeftFields, targetedNorms, validateLnTuningConfig, type LnTuningConfig } from './config';

export const LN_TUNING_PEFT_TYPE = 'LN_TUNING';

/** `model.layers.0.input_layernorm.weight` -> PEFT's `base_model.model.model.layers.0.input_layernorm.ln_tuning_layers.weight`. */
export function lnTuningKey(parameterName: string): string {
  const dot = parameterName.lastIndexOf('.');
  return `base_model.model.${parameterName.slice(0, dot)}.ln_tuning_layers${parameterName.slice(dot)}`;
}

export class LnTuningAdapter extends BaseWeightAdapter<'ln-tuning'> {
  readonly method = 'ln-tuning' as const;

  protected override key(name: string): string {
    return lnTuningKey(name);
  }

  toPeft(): PeftAdapter {
    const tensors = new Map<string, tf.Tensor>();
    for (const name of this.copies.names) tensors.set(lnTuningKey(name), this.copies.get(name)!.clone());
    return { config: { ...commonPeftFields(LN_TUNING_PEFT_TYPE, this.baseModelId), ...lnTuningToPeftFields(this.config) }, tensors };
  }
}

function parameterNames(config: LnTuningConfig, model: ModelConfig): string[] {
  return normParameterNames(targetedNorms(config, model));
}

function createLnTuning(config: LnTuningConfig, context: AdapterContext): LnTuningAdapter {
  validateLnTuningConfig(config, context.model);
  return new LnTuningAdapter(config, context.baseModelId, BaseWeightCopies.of(context.weights, parameterNames(config, context.model)));
}

function loadLnTuning(peft: PeftAdapter, context: AdapterContext): LnTuningAdapter {
  const config = lnTuningFromPeftFields(peft.config, context.model);
  refuseImpossibleValues(() => validateLnTuningConfig(config), { targetModules: 'target_modules' });
  checkBaseModel(peft.config, context.baseModelId);
  try {
    validateLnTuningConfig(config, context.model);
  } catch (error) {
    throw new AdapterMismatchError((error as Error).message);
  }
  const names = parameterNames(config, context.model);
  const expected = new Set(names.map(lnTuningKey));
  const extra = [...peft.tensors.keys()].find((key) => !expected.has(key));
  if (extra !== undefined) throw new AdapterMismatchError(`it has a tensor "${extra}" for a layer this model lacks`);
  const values = new Map<string, tf.Tensor>();
  for (const name of names) {
    const key = lnTuningKey(name);
    const tensor = peft.tensors.get(key);
    if (!tensor) throw new AdapterMismatchError(`it lacks "${key}" that its target_modules call for`);
    const size = context.model.hiddenSize;
    if (tensor.shape.length !== 1 || tensor.shape[0] !== size) {
      throw new AdapterMismatchError(`"${key}" has shape [${tensor.shape.join(', ')}], this model needs [${size}]`);
    }
    values.set(name, tensor);
  }
  return new LnTuningAdapter(config, context.baseModelId, BaseWeightCopies.holding(values));
}

export const lnTuningMethod: TuningMethod<'ln-tuning'> = {
  name: 'ln-tuning',
  text: {
    en: { label: 'LN tuning', description: "Trains only the normalisation layers' scales (and LayerNorm shifts): PEFT LN_TUNING, tiny and mergeable." },
    zh_CN: { label: 'LN 微调', description: '只训练归一化层的缩放（及 LayerNorm 的偏移）：PEFT LN_TUNING，参数极少，可合并。' },
  },
  // Norm scales start near one and act on every feature of every token, so they move far with
  // small steps; no weight decay, which would pull them towards zero, not towards their values.
  optimizer: { lr: 1e-2, minLr: 1e-3, weightDecay: 0 },
  fields: [
    { key: 'targetModules', flag: 'target', type: 'string', help: 'modules to adapt: names (comma-separated, matched as suffixes) or one regular expression' },
  ],
  peftType: LN_TUNING_PEFT_TYPE,
  preservesOutputsAtInit: true,
  defaultConfig: defaultLnTuningConfig,
  virtualTokens: () => 0,
  parameterCount: (config, model) => targetedNorms(config, model).reduce((sum, norm) => sum + norm.size * norm.params.length, 0),
  validate: validateLnTuningConfig,
  create: createLnTuning,
  fromPeft: loadLnTuning,
  testConfig: defaultLnTuningConfig,
  merge: (adapter, base) => (adapter as LnTuningAdapter).merged(base),
};
