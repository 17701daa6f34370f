// P-tuning settings as plain data (Liu et al. 2021, "GPT Understands, Too"; PEFT P_TUNING): n
// virtual-token embeddings produced by a prompt encoder (an MLP or a bidirectional LSTM with an MLP
// head), placed before every input like a soft prompt.
import type { ModelConfig } from '../../../model/types';
import { AdapterFormatError, TuningConfigError } from '../../errors';
import { readNumber, readString, type JsonObject } from '../../peft/fields';
import { defaultVirtualTokens, validateVirtualTokens } from '../p-tuning-v2/config';

/** PEFT's `encoder_reparameterization_type`, lower-cased for the CLI. */
export type PromptEncoderType = 'mlp' | 'lstm';

export interface PTuningConfig {
  /** PEFT `num_virtual_tokens`. */
  numVirtualTokens: number;
  /** PEFT `encoder_reparameterization_type`: MLP (PEFT's default) or LSTM. */
  encoder: PromptEncoderType;
  /** PEFT `encoder_hidden_size`. */
  encoderHiddenSize: number;
  /** PEFT `encoder_num_layers`: the LSTM's layers (the MLP always has PEFT's three Linears). */
  encoderNumLayers: number;
  /** PEFT `encoder_dropout`: between LSTM layers while training (the MLP has none). */
  encoderDropout: number;
}

declare module '../../types' {
  interface MethodConfigMap {
    'p-tuning': PTuningConfig;
  }
}

/** PEFT's defaults: MLP, encoder_hidden_size = token_dim (`_prepare_prompt_learning_config`), 2 layers, no dropout. */
export function defaultPTuningConfig(model: ModelConfig): PTuningConfig {
  return { numVirtualTokens: defaultVirtualTokens(model), encoder: 'mlp', encoderHiddenSize: model.hiddenSize, encoderNumLayers: 2, encoderDropout: 0 };
}

/** Throws TuningConfigError naming the first bad field. */
export function validatePTuningConfig(config: PTuningConfig, model?: ModelConfig): void {
  validateVirtualTokens(config.numVirtualTokens, model);
  if (config.encoder !== 'mlp' && config.encoder !== 'lstm') throw new TuningConfigError('encoder', 'must be "mlp" or "lstm"');
  if (!Number.isInteger(config.encoderHiddenSize) || config.encoderHiddenSize < 1) {
    throw new TuningConfigError('encoderHiddenSize', "must be a whole number of at least 1 (PEFT's default is the model's hidden size)");
  }
  if (!Number.isInteger(config.encoderNumLayers) || config.encoderNumLayers < 1) {
    throw new TuningConfigError('encoderNumLayers', 'must be a whole number of at least 1 (2 is usual)');
  }
  if (!Number.isFinite(config.encoderDropout) || config.encoderDropout < 0 || config.encoderDropout >= 1) {
    throw new TuningConfigError('encoderDropout', 'must be at least 0 and below 1 (0 is usual)');
  }
}

const PEFT_ENCODER: Record<PromptEncoderType, string> = { mlp: 'MLP', lstm: 'LSTM' };

/** adapter_config.json fields, as PEFT's PromptEncoderConfig writes them for a causal LM. */
export function pTuningToPeftFields(config: PTuningConfig, model: ModelConfig): JsonObject {
  return {
    num_virtual_tokens: config.numVirtualTokens,
    token_dim: model.hiddenSize,
    num_transformer_submodules: 1,
    num_attention_heads: model.numHeads,
    num_layers: model.numLayers,
    encoder_reparameterization_type: PEFT_ENCODER[config.encoder],
    encoder_hidden_size: config.encoderHiddenSize,
    encoder_num_layers: config.encoderNumLayers,
    encoder_dropout: config.encoderDropout,
  };
}

/** Reads the P_TUNING fields (PEFT's defaults where absent); `token_dim` is checked by the method. */
export function pTuningFromPeftFields(json: JsonObject, model: ModelConfig): PTuningConfig {
  const type = readString(json, 'encoder_reparameterization_type', 'MLP');
  const encoder = (Object.keys(PEFT_ENCODER) as PromptEncoderType[]).find((key) => PEFT_ENCODER[key] === type);
  if (!encoder) throw new AdapterFormatError(`"encoder_reparameterization_type" is ${JSON.stringify(type)}, expected MLP or LSTM`);
  return {
    numVirtualTokens: readNumber(json, 'num_virtual_tokens'),
    encoder,
    encoderHiddenSize: readNumber(json, 'encoder_hidden_size', readNumber(json, 'token_dim', model.hiddenSize)),
    encoderNumLayers: readNumber(json, 'encoder_num_layers', 2),
    encoderDropout: readNumber(json, 'encoder_dropout', 0),
  };
}
