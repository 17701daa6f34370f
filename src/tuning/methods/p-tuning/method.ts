// P-tuning (Liu et al. 2021) with PEFT's semantics (P_TUNING): a prompt encoder (./encoder.ts)
// computes n virtual-token embeddings [n, D], which are concatenated in front of the input
// embeddings exactly as a soft prompt (positions 0…n−1). The model weights stay frozen; the
// encoder trains.
//
// On save PEFT keeps only the encoder's output (`get_peft_model_state_dict` runs before
// save_pretrained marks the config inference_mode, so `BasePromptEncoder._get_adapter_state_dict`
// saves `prompt_embeddings` = `get_prompt_embedding_to_save()` = prompt_encoder(arange(n))[0]); the
// encoder's weights are not saved, and PEFT loads the file (inference mode) as that fixed prompt.
// Loading here does the same. Training a loaded adapter further trains that prompt directly, like
// prompt tuning: the encoder cannot be recovered from the file. (PEFT with is_trainable=True would
// instead feed the saved prompt through a new, randomly initialised encoder, which changes the
// outputs the file was exported with; continuing from exactly the exported prompt is kept here.)
import * as tf from '@tensorflow/tfjs';
import type { ForwardHooks, ModelConfig, WeightMap } from '../../../model/types';
import { AdapterMismatchError } from '../../errors';
import { checkBaseModel, commonPeftFields, refuseImpossibleValues } from '../../peft/common';
import { readNumber } from '../../peft/fields';
import { variableFrom } from '../../variables';
import type { Adapter, AdapterContext, ForwardMode, NamedVariable, PeftAdapter, TuningMethod } from '../../types';
import { virtualTokensField } from '../virtual-tokens-field';
import { PROMPT_ENCODERS, defaultPTuningConfig, pTuningFromPeftFields, pTuningToPeftFields, validatePTuningConfig, type PTuningConfig } from './config';
import { PromptEncoder } from './encoder';

export const P_TUNING_PEFT_TYPE = 'P_TUNING';
/** PEFT's key for the saved virtual-token embeddings. */
export const P_TUNING_EMBEDDINGS_KEY = 'prompt_embeddings';

/** The encoder (a fresh adapter) or, loaded from PEFT files, its saved output [n, D]. */
type PromptSource = { kind: 'encoder'; encoder: PromptEncoder } | { kind: 'prompt'; prompt: tf.Variable };

export class PTuningAdapter implements Adapter<'p-tuning'> {
  readonly method = 'p-tuning' as const;

  constructor(
    readonly config: PTuningConfig,
    readonly baseModelId: string,
    private readonly model: ModelConfig,
    private readonly source: PromptSource,
  ) {}

  get virtualTokens(): number {
    return this.config.numVirtualTokens;
  }

  /** Whether this adapter still has its encoder (false once loaded from files). */
  get hasEncoder(): boolean {
    return this.source.kind === 'encoder';
  }

  hooks(mode: ForwardMode): ForwardHooks {
    return {
      inputEmbeddings: (embeddings) => {
        const [batch, , width] = embeddings.shape;
        const prompt = this.prompt(mode.training ? (mode.seed ?? 0) : undefined); // [n, D]
        return tf.concat([tf.broadcastTo(tf.expandDims(prompt, 0), [batch, this.virtualTokens, width]) as tf.Tensor3D, embeddings], 1);
      },
    };
  }

  /** The virtual-token embeddings [n, D] (a view of the variable when loaded; caller's scope). */
  private prompt(dropoutSeed?: number): tf.Tensor2D {
    return this.source.kind === 'prompt' ? (this.source.prompt as tf.Tensor2D) : this.source.encoder.output(dropoutSeed);
  }

  weights(base: WeightMap): WeightMap {
    return base;
  }

  trainable(): NamedVariable[] {
    return this.source.kind === 'prompt' ? [{ key: P_TUNING_EMBEDDINGS_KEY, variable: this.source.prompt }] : this.source.encoder.named();
  }

  parameterCount(): number {
    return this.trainable().reduce((sum, { variable }) => sum + variable.size, 0);
  }

  toPeft(): PeftAdapter {
    const config = { ...commonPeftFields(P_TUNING_PEFT_TYPE, this.baseModelId), ...pTuningToPeftFields(this.config, this.model) };
    // The same ops as a forward pass in inference mode, so the file reproduces its logits exactly.
    return { config, tensors: new Map([[P_TUNING_EMBEDDINGS_KEY, tf.tidy(() => tf.clone(this.prompt()))]]) };
  }

  dispose(): void {
    if (this.source.kind === 'prompt') this.source.prompt.dispose();
    else this.source.encoder.dispose();
  }
}

function createPTuning(config: PTuningConfig, context: AdapterContext): PTuningAdapter {
  validatePTuningConfig(config, context.model);
  const encoder = PromptEncoder.create(config, context.model.hiddenSize, context.seed);
  return new PTuningAdapter(config, context.baseModelId, context.model, { kind: 'encoder', encoder });
}

/** PTuningConfig field -> its adapter_config.json name, for messages about a loaded file. */
const PEFT_FIELDS: Record<string, string> = {
  numVirtualTokens: 'num_virtual_tokens',
  encoder: 'encoder_reparameterization_type',
  encoderHiddenSize: 'encoder_hidden_size',
  encoderNumLayers: 'encoder_num_layers',
  encoderDropout: 'encoder_dropout',
};

function loadPTuning(peft: PeftAdapter, context: AdapterContext): PTuningAdapter {
  const { model } = context;
  const config = pTuningFromPeftFields(peft.config, model);
  refuseImpossibleValues(() => validatePTuningConfig(config), PEFT_FIELDS);
  checkBaseModel(peft.config, context.baseModelId);
  const tokenDim = readNumber(peft.config, 'token_dim', model.hiddenSize);
  if (tokenDim !== model.hiddenSize) throw new AdapterMismatchError(`its token_dim is ${tokenDim}, the model's hidden size is ${model.hiddenSize}`);
  const submodules = readNumber(peft.config, 'num_transformer_submodules', 1);
  if (submodules !== 1) throw new AdapterMismatchError(`its num_transformer_submodules is ${submodules}; a causal language model has 1`);
  try {
    validatePTuningConfig(config, model);
  } catch (error) {
    throw new AdapterMismatchError((error as Error).message);
  }
  const prompt = peft.tensors.get(P_TUNING_EMBEDDINGS_KEY);
  const shape = [config.numVirtualTokens, model.hiddenSize];
  if (!prompt) throw new AdapterMismatchError(`adapter_model.safetensors lacks "${P_TUNING_EMBEDDINGS_KEY}"`);
  if (prompt.shape.length !== 2 || prompt.shape[0] !== shape[0] || prompt.shape[1] !== shape[1]) {
    throw new AdapterMismatchError(`"${P_TUNING_EMBEDDINGS_KEY}" has shape [${prompt.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  const extra = [...peft.tensors.keys()].find((key) => key !== P_TUNING_EMBEDDINGS_KEY);
  if (extra !== undefined) throw new AdapterMismatchError(`it has an unexpected tensor "${extra}"`);
  return new PTuningAdapter(config, context.baseModelId, model, { kind: 'prompt', prompt: variableFrom(tf.clone(prompt)) });
}

/** Numbers the encoder trains: embedding, then the LSTM's layers and head, or the MLP. */
function encoderParameterCount(config: PTuningConfig, model: ModelConfig): number {
  const D = model.hiddenSize;
  const H = config.encoderHiddenSize;
  const n = config.numVirtualTokens;
  const linear = (inF: number, outF: number) => inF * outF + outF;
  if (config.encoder === 'mlp') return n * D + linear(D, H) + linear(H, H) + linear(H, D);
  // Each direction of layer l: W_ih [4H, in], W_hh [4H, H], two biases [4H]; in = D, then 2H.
  let lstm = 0;
  for (let layer = 0; layer < config.encoderNumLayers; layer++) lstm += 2 * (4 * H * ((layer === 0 ? D : 2 * H) + H) + 8 * H);
  return n * D + lstm + linear(2 * H, 2 * H) + linear(2 * H, D);
}

export const pTuningMethod: TuningMethod<'p-tuning'> = {
  name: 'p-tuning',
  text: {
    en: { label: 'P-tuning', description: 'A soft prompt produced by a small learned encoder (MLP or LSTM); the model itself is untouched.' },
    zh_CN: { label: 'P-tuning', description: '由小型可学习编码器（MLP 或 LSTM）生成的软提示；模型本身保持不变。' },
  },
  // PEFT's P-tuning examples train at 1e-3 over many epochs; one-click runs are ~100 steps. On the
  // tiny fixtures (test/unit/tuning/one-click.test.ts) 1e-3 reached under half of LoRA's loss drop
  // on GPT-2, 3e-3 two thirds of it or more on every family; 1e-2 more still, but on a real model's
  // 576-wide Linears (init U(±0.04)) each step would then move a weight by a quarter of its scale.
  optimizer: { lr: 3e-3, minLr: 3e-4, weightDecay: 0 },
  fields: [
    virtualTokensField('number of virtual tokens the encoder produces (default 20, at most 1/8 of the context)'),
    {
      key: 'encoder',
      flag: 'encoder',
      type: 'string',
      choices: PROMPT_ENCODERS,
      label: { en: 'Prompt encoder', zh_CN: '提示编码器' },
      help: 'prompt encoder: mlp (default, as PEFT) or lstm (bidirectional LSTM + MLP head)',
    },
    { key: 'encoderHiddenSize', flag: 'encoder-hidden-size', type: 'integer', min: 1, help: "hidden width of the encoder (default: the model's hidden size, as PEFT)" },
    { key: 'encoderNumLayers', flag: 'encoder-layers', type: 'integer', min: 1, help: 'LSTM layers of the lstm encoder (default 2, as PEFT)' },
    { key: 'encoderDropout', flag: 'encoder-dropout', type: 'number', min: 0, help: 'dropout between the LSTM layers while training (default 0)' },
  ],
  peftType: P_TUNING_PEFT_TYPE,
  preservesOutputsAtInit: false,
  continueRefusal: 'its saved files keep the prompt its encoder made, not the encoder that training updates',
  defaultConfig: defaultPTuningConfig,
  virtualTokens: (config) => config.numVirtualTokens,
  parameterCount: encoderParameterCount,
  validate: validatePTuningConfig,
  create: createPTuning,
  fromPeft: loadPTuning,
  // The LSTM path, the more intricate one, with a hidden width unlike the model's.
  testConfig: () => ({ numVirtualTokens: 4, encoder: 'lstm', encoderHiddenSize: 8, encoderNumLayers: 2, encoderDropout: 0 }),
};
