// Lightweight tuning: the model stays frozen except the named parts (the LM head, the norms, the
// linear biases), which are trained in place: the adapter holds trainable copies of those weight
// entries and the model runs with them (Adapter.weights), so a fresh adapter is the base model.
//
// Tied embeddings: training the head of a model whose head is its embedding table would also
// change the input embeddings. Instead the head is untied: a separate `lm_head.weight` starts as a
// copy of the table (so the outputs are unchanged at first) and only it is trained; the runtime
// uses an `lm_head.weight` entry when the weight map has one (model/forward.ts). The exported
// file then holds that `lm_head.weight` [vocab, hidden] and says `untied_head: true`.
//
// File format (not a PEFT type; Attune's own, in PEFT's two-file layout so the same import, export
// and storage paths carry it): adapter_config.json {peft_type: "ATTUNE_LIGHTWEIGHT", task_type,
// base_model_name_or_path, format_version: 1, parts, untied_head} and adapter_model.safetensors
// with each trained tensor under its Hugging Face name and in the checkpoint's layout
// (`lm_head.weight` [vocab, hidden], `model.layers.0.input_layernorm.weight`,
// `transformer.h.0.attn.c_attn.bias`, ...): a model's own loader reads them as they are.
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig, WeightMap } from '../../../model/types';
import { BaseWeightAdapter } from '../../base-weight-adapter';
import { BaseWeightCopies, checkpointShape, swapLayout } from '../../base-weight-copies';
import { AdapterFormatError, AdapterMismatchError } from '../../errors';
import { embeddingWeightName } from '../../model-linears';
import { checkBaseModel, commonPeftFields } from '../../peft/common';
import { readBoolean, readNumber } from '../../peft/fields';
import type { AdapterContext, PeftAdapter, TuningMethod } from '../../types';
import { HEAD_WEIGHT, LIGHTWEIGHT_PARTS, defaultLightweightConfig, partList, trainedNames, validateLightweightConfig, type LightweightConfig } from './config';

export const LIGHTWEIGHT_FILE_TYPE = 'ATTUNE_LIGHTWEIGHT';
const FORMAT_VERSION = 1;

export class LightweightAdapter extends BaseWeightAdapter<'lightweight'> {
  readonly method = 'lightweight' as const;

  constructor(
    config: LightweightConfig,
    baseModelId: string,
    private readonly model: ModelConfig,
    copies: BaseWeightCopies,
  ) {
    super(config, baseModelId, copies);
  }

  toPeft(): PeftAdapter {
    const tensors = new Map<string, tf.Tensor>();
    for (const name of this.copies.names) tensors.set(name, swapLayout(this.model, name, this.copies.get(name)!));
    const config = {
      ...commonPeftFields(LIGHTWEIGHT_FILE_TYPE, this.baseModelId),
      format_version: FORMAT_VERSION,
      parts: partList(this.config),
      untied_head: this.model.tieWordEmbeddings && partList(this.config).includes('head'),
    };
    return { config, tensors };
  }
}

/** The head's starting value in the weight map ([hidden, vocab]): the base head, or the tied table transposed. */
function headStart(model: ModelConfig, base: WeightMap): tf.Tensor {
  if (!model.tieWordEmbeddings) return base.get(HEAD_WEIGHT)!;
  return tf.transpose(base.get(embeddingWeightName(model))!);
}

function createLightweight(config: LightweightConfig, context: AdapterContext): LightweightAdapter {
  validateLightweightConfig(config, context.model);
  const normalised = { parts: partList(config) };
  const names = trainedNames(normalised, context.model);
  const sources: WeightMap = new Map(context.weights);
  const head = names.includes(HEAD_WEIGHT) && context.model.tieWordEmbeddings ? headStart(context.model, context.weights) : null;
  if (head) sources.set(HEAD_WEIGHT, head);
  try {
    return new LightweightAdapter(normalised, context.baseModelId, context.model, BaseWeightCopies.of(sources, names));
  } finally {
    head?.dispose();
  }
}

function loadLightweight(peft: PeftAdapter, context: AdapterContext): LightweightAdapter {
  const json = peft.config;
  const version = readNumber(json, 'format_version');
  if (version !== FORMAT_VERSION) throw new AdapterFormatError(`adapter_config.json "format_version" is ${version}; this Attune reads ${FORMAT_VERSION}`);
  if (!Array.isArray(json.parts)) throw new AdapterFormatError('adapter_config.json field "parts" must list the trained parts (head, norms, bias)');
  const config: LightweightConfig = { parts: json.parts as string[] };
  checkBaseModel(json, context.baseModelId);
  try {
    validateLightweightConfig(config, context.model);
  } catch (error) {
    throw new AdapterMismatchError((error as Error).message);
  }
  readBoolean(json, 'untied_head', false);
  const names = trainedNames(config, context.model);
  const expected = new Set(names);
  const extra = [...peft.tensors.keys()].find((key) => !expected.has(key));
  if (extra !== undefined) throw new AdapterMismatchError(`it has a tensor "${extra}" that its parts do not train on this model`);
  const values = new Map<string, tf.Tensor>();
  try {
    for (const name of names) {
      const tensor = peft.tensors.get(name);
      if (!tensor) throw new AdapterMismatchError(`it lacks "${name}" that its parts call for`);
      const shape = checkpointShape(context.model, name)!;
      if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
        throw new AdapterMismatchError(`"${name}" has shape [${tensor.shape.join(', ')}], this model needs [${shape.join(', ')}]`);
      }
      values.set(name, swapLayout(context.model, name, tensor));
    }
    return new LightweightAdapter({ parts: partList(config) }, context.baseModelId, context.model, BaseWeightCopies.holding(values));
  } finally {
    for (const value of values.values()) value.dispose();
  }
}

export const lightweightMethod: TuningMethod<'lightweight'> = {
  name: 'lightweight',
  text: {
    en: { label: 'Head, norms and biases', description: 'Trains only chosen parts of the model in place: the output head, the normalisation layers and/or the linear biases (BitFit).' },
    zh_CN: { label: '输出头、归一化与偏置', description: '只在原处训练模型的选定部分：输出头、归一化层和/或线性层偏置（BitFit）。' },
  },
  // The head is a large matrix trained from the pretrained values, norms and biases are small
  // vectors: a LoRA-like rate moves all three within ~100 one-click steps without wrecking the
  // head. No weight decay: it would pull norm scales and biases towards zero, not their values.
  optimizer: { lr: 2e-3, minLr: 2e-4, weightDecay: 0 },
  fields: [
    {
      key: 'parts',
      flag: 'parts',
      type: 'string',
      choices: LIGHTWEIGHT_PARTS,
      multiple: true,
      label: { en: 'Parts to train', zh_CN: '要训练的部分' },
      help: 'parts to train, comma-separated: head, norms, bias (default: every part the model has)',
    },
  ],
  peftType: LIGHTWEIGHT_FILE_TYPE,
  preservesOutputsAtInit: true,
  defaultConfig: defaultLightweightConfig,
  virtualTokens: () => 0,
  parameterCount: (config, model) => trainedNames(config, model).reduce((sum, name) => sum + checkpointShape(model, name)!.reduce((a, b) => a * b, 1), 0),
  validate: validateLightweightConfig,
  create: createLightweight,
  fromPeft: loadLightweight,
  testConfig: defaultLightweightConfig,
  merge: (adapter, base) => (adapter as LightweightAdapter).merged(base),
};
