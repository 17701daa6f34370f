// Prefix tuning (Li & Liang 2021) with PEFT's semantics: PREFIX_TUNING with prefix_projection
// true. PEFT's PrefixEncoder computes the prefix of every layer as
//   transform(embedding(0…P−1)) = Linear(H, layers·2·token_dim)(tanh(Linear(token_dim, H)(E)))
// with E [P, token_dim] (N(0, 1), torch.nn.Embedding's init) and the Linears at torch's default
// init (weights and biases U(−1/√in, 1/√in)). The prefix then enters attention exactly as in
// p-tuning-v2 (see ../p-tuning-v2/prefix.ts). On save PEFT keeps only the computed prefix
// (`get_peft_model_state_dict` -> `get_prompt_embedding_to_save`: `prompt_embeddings` =
// prompt_encoder(arange(P))[0], [P, layers·2·token_dim]); the MLP is not saved, and PEFT loads such
// a file as a plain prefix (inference_mode). Loading here does the same: the loaded adapter trains
// that prefix directly.
import * as tf from '@tensorflow/tfjs';
import type { ForwardHooks, ModelConfig, WeightMap } from '../../../model/types';
import { AdapterMismatchError } from '../../errors';
import { checkBaseModel, commonPeftFields, refuseImpossibleValues } from '../../peft/common';
import { readNumber } from '../../peft/fields';
import { Rng, normalArray, uniformArray } from '../../rng';
import { variableFrom } from '../../variables';
import type { Adapter, AdapterContext, NamedVariable, PeftAdapter, TuningMethod } from '../../types';
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
} from '../p-tuning-v2/prefix';
import { defaultPrefixTuningConfig, validatePrefixTuningConfig, type PrefixTuningConfig } from './config';
import { virtualTokensField } from '../virtual-tokens-field';

/** PEFT's PrefixEncoder parameters; the Linears stored [in, out] like the WeightMap. */
interface PrefixEncoder {
  /** [P, token_dim] */
  embedding: tf.Variable;
  /** [token_dim, H], [H] */
  w1: tf.Variable;
  b1: tf.Variable;
  /** [H, layers·2·token_dim], [layers·2·token_dim] */
  w2: tf.Variable;
  b2: tf.Variable;
}

/** Either the MLP (a fresh adapter) or, loaded from PEFT files, the computed prefix [P, width]. */
type PrefixSource = { kind: 'encoder'; encoder: PrefixEncoder } | { kind: 'prefix'; prefix: tf.Variable };

export class PrefixTuningAdapter implements Adapter<'prefix-tuning'> {
  readonly method = 'prefix-tuning' as const;
  private readonly geometry: PrefixGeometry;

  constructor(
    readonly config: PrefixTuningConfig,
    readonly baseModelId: string,
    private readonly model: ModelConfig,
    private readonly source: PrefixSource,
  ) {
    this.geometry = prefixGeometry(model);
  }

  /** Positions of the context the prefix takes (real tokens start after it); not input rows. */
  get virtualTokens(): number {
    return this.config.numVirtualTokens;
  }

  hooks(): ForwardHooks {
    const g = this.geometry;
    if (this.source.kind === 'prefix') {
      const prefix = this.source.prefix as tf.Tensor2D;
      return prefixHooks((layer) => layerColumns(prefix, layer, g), g);
    }
    const { embedding, w1, b1, w2, b2 } = this.source.encoder;
    // Each layer multiplies by its own columns of the output Linear only, so the MLP's cost is one
    // full output per pass, not one per layer; the tiny first layer is recomputed per layer.
    return prefixHooks((layer) => {
      const hidden = tf.tanh(tf.add(tf.matMul(embedding, w1), b1)) as tf.Tensor2D; // [P, H]
      const H = w2.shape[0]!;
      const start = 2 * layer * g.tokenDim;
      const w = tf.slice(w2, [0, start], [H, 2 * g.tokenDim]);
      const b = tf.slice(b2, [start], [2 * g.tokenDim]);
      return tf.add(tf.matMul(hidden, w), b) as tf.Tensor2D; // [P, 2·token_dim]
    }, g);
  }

  weights(base: WeightMap): WeightMap {
    return base;
  }

  trainable(): NamedVariable[] {
    if (this.source.kind === 'prefix') return [{ key: PREFIX_EMBEDDINGS_KEY, variable: this.source.prefix }];
    const { embedding, w1, b1, w2, b2 } = this.source.encoder;
    // PEFT's parameter names inside the prompt encoder.
    return [
      { key: 'prompt_encoder.embedding.weight', variable: embedding },
      { key: 'prompt_encoder.transform.0.weight', variable: w1 },
      { key: 'prompt_encoder.transform.0.bias', variable: b1 },
      { key: 'prompt_encoder.transform.2.weight', variable: w2 },
      { key: 'prompt_encoder.transform.2.bias', variable: b2 },
    ];
  }

  parameterCount(): number {
    return this.trainable().reduce((sum, { variable }) => sum + variable.size, 0);
  }

  /** The whole prefix [P, layers·2·token_dim], as PEFT computes it for saving. */
  prefix(): tf.Tensor2D {
    if (this.source.kind === 'prefix') return tf.clone(this.source.prefix) as tf.Tensor2D;
    const { embedding, w1, b1, w2, b2 } = this.source.encoder;
    return tf.tidy(() => tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(embedding, w1), b1)), w2), b2) as tf.Tensor2D);
  }

  toPeft(): PeftAdapter {
    const config = {
      ...commonPeftFields(PREFIX_TUNING_PEFT_TYPE, this.baseModelId),
      ...prefixPeftFields(this.config.numVirtualTokens, this.model, { encoderHiddenSize: this.config.encoderHiddenSize }),
    };
    return { config, tensors: new Map([[PREFIX_EMBEDDINGS_KEY, this.prefix()]]) };
  }

  dispose(): void {
    for (const { variable } of this.trainable()) variable.dispose();
  }
}

/** torch.nn.Linear's default init for a layer with `fanIn` inputs: U(−1/√fanIn, 1/√fanIn). */
function linearInit(rng: Rng, fanIn: number, shape: number[]): tf.Variable {
  const bound = 1 / Math.sqrt(fanIn);
  return variableFrom(tf.tensor(uniformArray(rng, shape.reduce((a, b) => a * b, 1), -bound, bound), shape));
}

function createPrefixTuning(config: PrefixTuningConfig, context: AdapterContext): PrefixTuningAdapter {
  validatePrefixTuningConfig(config, context.model);
  const { tokenDim, width } = prefixGeometry(context.model);
  const P = config.numVirtualTokens;
  const H = config.encoderHiddenSize;
  const rng = new Rng(context.seed);
  const encoder: PrefixEncoder = {
    embedding: variableFrom(tf.tensor2d(normalArray(rng, P * tokenDim), [P, tokenDim])),
    w1: linearInit(rng, tokenDim, [tokenDim, H]),
    b1: linearInit(rng, tokenDim, [H]),
    w2: linearInit(rng, H, [H, width]),
    b2: linearInit(rng, H, [width]),
  };
  return new PrefixTuningAdapter(config, context.baseModelId, context.model, { kind: 'encoder', encoder });
}

function loadPrefixTuning(peft: PeftAdapter, context: AdapterContext): PrefixTuningAdapter {
  const { model } = context;
  const config: PrefixTuningConfig = {
    numVirtualTokens: readNumber(peft.config, 'num_virtual_tokens'),
    encoderHiddenSize: readNumber(peft.config, 'encoder_hidden_size', prefixGeometry(model).tokenDim),
  };
  refuseImpossibleValues(() => validatePrefixTuningConfig(config), { numVirtualTokens: 'num_virtual_tokens', encoderHiddenSize: 'encoder_hidden_size' });
  checkBaseModel(peft.config, context.baseModelId);
  try {
    validatePrefixTuningConfig(config, model);
  } catch (error) {
    throw new AdapterMismatchError((error as Error).message);
  }
  const prefix = readSavedPrefix(peft.config, peft.tensors, config.numVirtualTokens, model);
  return new PrefixTuningAdapter(config, context.baseModelId, model, { kind: 'prefix', prefix: variableFrom(tf.clone(prefix)) });
}

export const prefixTuningMethod: TuningMethod<'prefix-tuning'> = {
  name: 'prefix-tuning',
  text: {
    en: { label: 'Prefix tuning', description: 'Keys and values in front of every layer, produced by a small learned network; the model itself is untouched.' },
    zh_CN: { label: '前缀微调', description: '由一个小型可学习网络生成每一层前的键和值；模型本身保持不变。' },
  },
  // Li & Liang train the reparameterised prefix at 5e-5…8e-5 over many epochs; one-click runs are
  // ~100 steps, and the MLP's output layer moves every prefix value at once, so a moderate 5e-3
  // lowers the loss within a few steps without the swings of p-tuning-v2's 1e-2.
  optimizer: { lr: 5e-3, minLr: 5e-4, weightDecay: 0 },
  fields: [
    virtualTokensField('prefix length at every layer (default 20, at most 1/8 of the context)'),
    { key: 'encoderHiddenSize', flag: 'encoder-hidden-size', type: 'integer', min: 1, help: "hidden width of the prefix MLP (default: the model's key width, as PEFT)" },
  ],
  peftType: PREFIX_TUNING_PEFT_TYPE,
  readsPeft: usesProjection,
  preservesOutputsAtInit: false,
  continueRefusal: 'its saved files keep the prompt its encoder made, not the encoder that training updates',
  defaultConfig: defaultPrefixTuningConfig,
  virtualTokens: (config) => config.numVirtualTokens,
  parameterCount: (config, model) => {
    const { tokenDim, width } = prefixGeometry(model);
    const H = config.encoderHiddenSize;
    return config.numVirtualTokens * tokenDim + tokenDim * H + H + H * width + width;
  },
  validate: validatePrefixTuningConfig,
  create: createPrefixTuning,
  fromPeft: loadPrefixTuning,
  testConfig: (model) => ({ numVirtualTokens: 4, encoderHiddenSize: Math.min(16, prefixGeometry(model).tokenDim) }),
};
