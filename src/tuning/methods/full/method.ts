// Full fine-tuning: every weight of the model is trained. The adapter holds a trainable copy of
// every base entry and the model runs with them (Adapter.weights), so a fresh adapter is the base
// model exactly. A tied model stays tied (one table, trained by both its uses).
//
// Memory: value, gradient, clipped gradient, AdamW's two moments and the last-good and best copies
// of every weight (train/memory-plan.ts counts parameterCount × 7 floats besides the base); the
// memory plan refuses a model that cannot fit before anything is allocated.
//
// Files: the result is a model, not an adapter. `modelFiles` writes a Hugging Face model folder
// (model-folder.ts), which `attune train --method full --out DIR` writes. toPeft() carries the
// same tensors in Attune's two-file layout for the paths every method shares (checkpoints, the
// extension's adapter store, the contract round trip): adapter_config.json {peft_type:
// "ATTUNE_FULL", task_type, base_model_name_or_path, format_version: 1} and
// adapter_model.safetensors = every weight under its Hugging Face name, checkpoint layout.
import type * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../../model/types';
import { BaseWeightAdapter } from '../../base-weight-adapter';
import { BaseWeightCopies, checkpointShape, swapLayout } from '../../base-weight-copies';
import { AdapterFormatError, AdapterMismatchError } from '../../errors';
import { checkBaseModel, commonPeftFields } from '../../peft/common';
import { readNumber } from '../../peft/fields';
import type { AdapterContext, PeftAdapter, TuningMethod } from '../../types';
import { defaultFullConfig, fullParameterCount, fullWeightNames, validateFullConfig, type FullConfig } from './config';
import { modelFolderFiles } from './model-folder';

export const FULL_FILE_TYPE = 'ATTUNE_FULL';
const FORMAT_VERSION = 1;

export class FullAdapter extends BaseWeightAdapter<'full'> {
  readonly method = 'full' as const;

  constructor(
    config: FullConfig,
    baseModelId: string,
    private readonly model: ModelConfig,
    copies: BaseWeightCopies,
  ) {
    super(config, baseModelId, copies);
  }

  toPeft(): PeftAdapter {
    const tensors = new Map<string, tf.Tensor>();
    for (const name of this.copies.names) tensors.set(name, swapLayout(this.model, name, this.copies.get(name)!));
    return { config: { ...commonPeftFields(FULL_FILE_TYPE, this.baseModelId), format_version: FORMAT_VERSION }, tensors };
  }
}

function createFull(config: FullConfig, context: AdapterContext): FullAdapter {
  validateFullConfig(config);
  const names = fullWeightNames(context.model, (name) => context.weights.has(name));
  return new FullAdapter({}, context.baseModelId, context.model, BaseWeightCopies.of(context.weights, names));
}

function loadFull(peft: PeftAdapter, context: AdapterContext): FullAdapter {
  const version = readNumber(peft.config, 'format_version');
  if (version !== FORMAT_VERSION) throw new AdapterFormatError(`adapter_config.json "format_version" is ${version}; this Attune reads ${FORMAT_VERSION}`);
  checkBaseModel(peft.config, context.baseModelId);
  const names = fullWeightNames(context.model, (name) => peft.tensors.has(name));
  const expected = new Set(names);
  const extra = [...peft.tensors.keys()].find((key) => !expected.has(key));
  if (extra !== undefined) throw new AdapterMismatchError(`it has a tensor "${extra}" this model lacks`);
  const values = new Map<string, tf.Tensor>();
  try {
    for (const name of names) {
      const tensor = peft.tensors.get(name);
      if (!tensor) throw new AdapterMismatchError(`it lacks "${name}"`);
      const shape = checkpointShape(context.model, name)!;
      if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
        throw new AdapterMismatchError(`"${name}" has shape [${tensor.shape.join(', ')}], this model needs [${shape.join(', ')}]`);
      }
      values.set(name, swapLayout(context.model, name, tensor));
    }
    return new FullAdapter({}, context.baseModelId, context.model, BaseWeightCopies.holding(values));
  } finally {
    for (const value of values.values()) value.dispose();
  }
}

export const fullMethod: TuningMethod<'full'> = {
  name: 'full',
  text: {
    en: { label: 'Full fine-tuning', description: 'Trains every weight of the model and saves a whole new model: the most capable, and the most memory (about 8× the model).' },
    zh_CN: { label: '全量微调', description: '训练模型的全部权重并保存为一个完整的新模型：能力最强，内存占用也最大（约为模型的 8 倍）。' },
  },
  // Every pretrained weight moves: rates that suit adapters (1e-3 and up) wreck the model within a
  // few steps. 1e-5, the usual rate for long runs on large models, barely moves a one-click run
  // of ~50 steps: on the personal to-do task (`npm run bench -- methods`, docs/tuning.md) it reached
  // 40 % of LoRA's held-out loss drop, 1e-4 all of it (30/30 exact), 3e-4 no more. So 1e-4 (cosine
  // to 1e-5), the top of the range small models are fine-tuned at, with AdamW's customary 0.01
  // decay (towards zero is fine here only because the steps are small).
  optimizer: { lr: 1e-4, minLr: 1e-5, weightDecay: 0.01 },
  fields: [],
  peftType: FULL_FILE_TYPE,
  preservesOutputsAtInit: true,
  defaultConfig: defaultFullConfig,
  virtualTokens: () => 0,
  parameterCount: (_config, model) => fullParameterCount(model),
  validate: (config) => validateFullConfig(config),
  create: createFull,
  fromPeft: loadFull,
  testConfig: defaultFullConfig,
  modelFiles: (adapter, base) => {
    const trained = adapter.toPeft();
    return modelFolderFiles(trained, base).finally(() => {
      for (const tensor of trained.tensors.values()) tensor.dispose();
    });
  },
};
