// Prompt tuning with PEFT's semantics: a trainable [n, D] matrix of virtual-token embeddings is
// concatenated in front of the input embeddings, so the model sees it at positions 0…n−1. The
// model weights stay frozen; only these n·D numbers train.
import * as tf from '@tensorflow/tfjs';
import type { ForwardHooks, ModelConfig, WeightMap } from '../../../model/types';
import { AdapterMismatchError, TuningConfigError } from '../../errors';
import { embeddingWeightName } from '../../model-linears';
import { checkBaseModel, commonPeftFields, refuseImpossibleValues } from '../../peft/common';
import { readNumber } from '../../peft/fields';
import { Rng, normalArray } from '../../rng';
import { variableFrom } from '../../variables';
import type { Adapter, AdapterContext, NamedVariable, PeftAdapter, TuningMethod } from '../../types';
import {
  defaultPromptTuningConfig,
  promptTuningFromPeftFields,
  promptTuningToPeftFields,
  validatePromptTuningConfig,
  type PromptTuningConfig,
} from './config';
import { virtualTokensField } from '../virtual-tokens-field';

export const PROMPT_TUNING_PEFT_TYPE = 'PROMPT_TUNING';
/** PEFT's key for the soft prompt in adapter_model.safetensors. */
export const PROMPT_EMBEDDINGS_KEY = 'prompt_embeddings';

export class PromptTuningAdapter implements Adapter<'prompt-tuning'> {
  readonly method = 'prompt-tuning' as const;

  constructor(
    readonly config: PromptTuningConfig,
    readonly baseModelId: string,
    private readonly model: ModelConfig,
    /** [n, D] */
    private readonly prompt: tf.Variable,
  ) {}

  get virtualTokens(): number {
    return this.config.numVirtualTokens;
  }

  hooks(): ForwardHooks {
    return {
      inputEmbeddings: (embeddings) => {
        const [batch, , width] = embeddings.shape;
        const prompt = tf.broadcastTo(tf.expandDims(this.prompt, 0), [batch, this.virtualTokens, width]); // [B, n, D]
        return tf.concat([prompt as tf.Tensor3D, embeddings], 1); // [B, n + T, D]
      },
    };
  }

  weights(base: WeightMap): WeightMap {
    return base;
  }

  trainable(): NamedVariable[] {
    return [{ key: PROMPT_EMBEDDINGS_KEY, variable: this.prompt }];
  }

  parameterCount(): number {
    return this.prompt.size;
  }

  toPeft(): PeftAdapter {
    const config = {
      ...commonPeftFields(PROMPT_TUNING_PEFT_TYPE, this.baseModelId),
      ...promptTuningToPeftFields(this.config, this.model, this.baseModelId),
    };
    return { config, tensors: new Map([[PROMPT_EMBEDDINGS_KEY, tf.clone(this.prompt)]]) };
  }

  dispose(): void {
    this.prompt.dispose();
  }
}

/** PEFT's TEXT init: the text's token ids repeated, then cut, to exactly n ids. */
export function initTokenIds(textIds: number[], n: number): number[] {
  if (textIds.length === 0) throw new TuningConfigError('initText', 'the text has no tokens; write a phrase');
  const ids: number[] = [];
  while (ids.length < n) ids.push(...textIds);
  return ids.slice(0, n);
}

function initialPrompt(config: PromptTuningConfig, context: AdapterContext): tf.Tensor2D {
  const { model } = context;
  const n = config.numVirtualTokens;
  if (config.init === 'random') {
    // PEFT leaves torch.nn.Embedding's default init: N(0, 1).
    return tf.tensor2d(normalArray(new Rng(context.seed), n * model.hiddenSize), [n, model.hiddenSize]);
  }
  const embedding = context.weights.get(embeddingWeightName(model));
  if (!embedding) throw new AdapterMismatchError(`the model has no ${embeddingWeightName(model)} to initialise from`);
  let ids: number[];
  if (config.init === 'text') {
    if (!context.encode) throw new TuningConfigError('init', 'initialising from text needs the model tokenizer');
    ids = initTokenIds(context.encode(config.initText), n);
  } else {
    const rng = new Rng(context.seed);
    ids = Array.from({ length: n }, () => rng.int(model.vocabSize));
  }
  return tf.tidy(() => tf.gather(embedding, tf.tensor1d(ids, 'int32')) as tf.Tensor2D);
}

function createPromptTuning(config: PromptTuningConfig, context: AdapterContext): PromptTuningAdapter {
  validatePromptTuningConfig(config, context.model);
  const initial = initialPrompt(config, context);
  return new PromptTuningAdapter(config, context.baseModelId, context.model, variableFrom(initial));
}

/** PromptTuningConfig field -> its adapter_config.json name, for messages about a loaded file. */
const PEFT_FIELDS: Record<string, string> = {
  numVirtualTokens: 'num_virtual_tokens',
  init: 'prompt_tuning_init',
  initText: 'prompt_tuning_init_text',
};

function loadPromptTuning(peft: PeftAdapter, context: AdapterContext): PromptTuningAdapter {
  const { model } = context;
  const config = promptTuningFromPeftFields(peft.config);
  refuseImpossibleValues(() => validatePromptTuningConfig(config), PEFT_FIELDS);
  checkBaseModel(peft.config, context.baseModelId);
  const tokenDim = readNumber(peft.config, 'token_dim', model.hiddenSize);
  if (tokenDim !== model.hiddenSize) {
    throw new AdapterMismatchError(`its token_dim is ${tokenDim}, the model's hidden size is ${model.hiddenSize}`);
  }
  try {
    validatePromptTuningConfig(config, model);
  } catch (error) {
    throw new AdapterMismatchError((error as Error).message);
  }
  const prompt = peft.tensors.get(PROMPT_EMBEDDINGS_KEY);
  const shape = [config.numVirtualTokens, model.hiddenSize];
  if (!prompt) throw new AdapterMismatchError(`adapter_model.safetensors lacks "${PROMPT_EMBEDDINGS_KEY}"`);
  if (prompt.shape.length !== 2 || prompt.shape[0] !== shape[0] || prompt.shape[1] !== shape[1]) {
    throw new AdapterMismatchError(`"${PROMPT_EMBEDDINGS_KEY}" has shape [${prompt.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  const extra = [...peft.tensors.keys()].find((key) => key !== PROMPT_EMBEDDINGS_KEY);
  if (extra !== undefined) throw new AdapterMismatchError(`it has an unexpected tensor "${extra}"`);
  return new PromptTuningAdapter(config, context.baseModelId, model, variableFrom(tf.clone(prompt)));
}

export const promptTuningMethod: TuningMethod<'prompt-tuning'> = {
  name: 'prompt-tuning',
  text: {
    en: { label: 'Soft prompt', description: 'A few learned embeddings in front of every input; the model itself is untouched.' },
    zh_CN: { label: '软提示', description: '在每个输入前加入少量可学习的嵌入；模型本身保持不变。' },
  },
  // PEFT's prompt-tuning examples use 3e-2: only the input layer moves, so steps must be large.
  optimizer: { lr: 3e-2, minLr: 3e-3, weightDecay: 0 },
  fields: [
    virtualTokensField('soft prompt length (default 20, at most 1/8 of the context)'),
  ],
  peftType: PROMPT_TUNING_PEFT_TYPE,
  preservesOutputsAtInit: false,
  defaultConfig: defaultPromptTuningConfig,
  virtualTokens: (config) => config.numVirtualTokens,
  parameterCount: (config, model) => config.numVirtualTokens * model.hiddenSize,
  validate: validatePromptTuningConfig,
  create: createPromptTuning,
  fromPeft: loadPromptTuning,
  testConfig: (model) => ({ ...defaultPromptTuningConfig(model), numVirtualTokens: 4 }),
};
