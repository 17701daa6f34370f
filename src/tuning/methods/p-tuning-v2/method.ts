// P-tuning v2 (Liu et al. 2022, "deep prompt tuning") with PEFT's semantics: PREFIX_TUNING with
// prefix_projection false. The trained tensor is the prefix itself, [P, layers·2·token_dim]
// (PEFT's PrefixEncoder is then one Embedding of that width, N(0, 1) at the start); every layer
// attends to its P key/value rows before the input's. The model weights stay frozen.
import * as tf from '@tensorflow/tfjs';
import type { ForwardHooks, ModelConfig, WeightMap } from '../../../model/types';
import { AdapterMismatchError } from '../../errors';
import { checkBaseModel, commonPeftFields, refuseImpossibleValues } from '../../peft/common';
import { readNumber } from '../../peft/fields';
import { Rng, normalArray } from '../../rng';
import { variableFrom } from '../../variables';
import type { Adapter, AdapterContext, NamedVariable, PeftAdapter, TuningMethod } from '../../types';
import { defaultPTuningV2Config, validatePTuningV2Config, type PTuningV2Config } from './config';
import {
  PREFIX_EMBEDDINGS_KEY,
  PREFIX_TUNING_PEFT_TYPE,
  layerColumns,
  prefixGeometry,
  prefixHooks,
  prefixPeftFields,
  readSavedPrefix,
  usesProjection,
  type PrefixGeometry,
} from './prefix';
import { virtualTokensField } from '../virtual-tokens-field';

export class PTuningV2Adapter implements Adapter<'p-tuning-v2'> {
  readonly method = 'p-tuning-v2' as const;
  private readonly geometry: PrefixGeometry;

  constructor(
    readonly config: PTuningV2Config,
    readonly baseModelId: string,
    private readonly model: ModelConfig,
    /** [P, layers·2·token_dim] */
    private readonly prefix: tf.Variable,
  ) {
    this.geometry = prefixGeometry(model);
  }

  /**
   * Not rows of the input, but positions of the context: the model places real tokens after the
   * prefix, so generation and the training length must leave P positions for it.
   */
  get virtualTokens(): number {
    return this.config.numVirtualTokens;
  }

  hooks(): ForwardHooks {
    return prefixHooks((layer) => layerColumns(this.prefix as tf.Tensor2D, layer, this.geometry), this.geometry);
  }

  weights(base: WeightMap): WeightMap {
    return base;
  }

  trainable(): NamedVariable[] {
    return [{ key: PREFIX_EMBEDDINGS_KEY, variable: this.prefix }];
  }

  parameterCount(): number {
    return this.prefix.size;
  }

  toPeft(): PeftAdapter {
    const config = {
      ...commonPeftFields(PREFIX_TUNING_PEFT_TYPE, this.baseModelId),
      ...prefixPeftFields(this.config.numVirtualTokens, this.model, null),
    };
    return { config, tensors: new Map([[PREFIX_EMBEDDINGS_KEY, tf.clone(this.prefix)]]) };
  }

  dispose(): void {
    this.prefix.dispose();
  }
}

function createPTuningV2(config: PTuningV2Config, context: AdapterContext): PTuningV2Adapter {
  validatePTuningV2Config(config, context.model);
  const { width } = prefixGeometry(context.model);
  // PEFT leaves torch.nn.Embedding's default init (init_weights None): N(0, 1).
  const initial = tf.tensor2d(normalArray(new Rng(context.seed), config.numVirtualTokens * width), [config.numVirtualTokens, width]);
  return new PTuningV2Adapter(config, context.baseModelId, context.model, variableFrom(initial));
}

function loadPTuningV2(peft: PeftAdapter, context: AdapterContext): PTuningV2Adapter {
  const config: PTuningV2Config = { numVirtualTokens: readNumber(peft.config, 'num_virtual_tokens') };
  refuseImpossibleValues(() => validatePTuningV2Config(config), { numVirtualTokens: 'num_virtual_tokens' });
  checkBaseModel(peft.config, context.baseModelId);
  try {
    validatePTuningV2Config(config, context.model);
  } catch (error) {
    throw new AdapterMismatchError((error as Error).message);
  }
  const prefix = readSavedPrefix(peft.config, peft.tensors, config.numVirtualTokens, context.model);
  return new PTuningV2Adapter(config, context.baseModelId, context.model, variableFrom(tf.clone(prefix)));
}

export const pTuningV2Method: TuningMethod<'p-tuning-v2'> = {
  name: 'p-tuning-v2',
  text: {
    en: { label: 'Deep prompt (P-tuning v2)', description: 'Learned keys and values in front of every layer; the model itself is untouched.' },
    zh_CN: { label: '深度提示（P-tuning v2）', description: '在每一层前加入可学习的键和值；模型本身保持不变。' },
  },
  // The paper's grid is 5e-3…1e-2, for thousands of steps. A one-click run is ~50 steps and the
  // prefix starts at N(0, 1) (PEFT's init), so AdamW's ~lr-sized steps must move unit-scale values:
  // on the personal to-do task (`npm run bench -- methods`, docs/tuning.md) 1e-2 reached a third of
  // LoRA's held-out loss drop, 3e-2 three quarters, 1e-1 96 % (22/30 exact). No weight decay: it
  // would pull the keys towards zero, which is not neutral.
  optimizer: { lr: 1e-1, minLr: 1e-2, weightDecay: 0 },
  fields: [
    virtualTokensField('prefix length at every layer (default 20, at most 1/8 of the context)'),
  ],
  peftType: PREFIX_TUNING_PEFT_TYPE,
  // Files with prefix_projection true are prefix-tuning's (their prefix came from an MLP).
  readsPeft: (json) => !usesProjection(json),
  preservesOutputsAtInit: false,
  defaultConfig: defaultPTuningV2Config,
  virtualTokens: (config) => config.numVirtualTokens,
  parameterCount: (config, model) => config.numVirtualTokens * prefixGeometry(model).width,
  validate: validatePTuningV2Config,
  create: createPTuningV2,
  fromPeft: loadPTuningV2,
  testConfig: () => ({ numVirtualTokens: 4 }),
};
