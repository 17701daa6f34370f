// config.json (Hugging Face) -> the normalised ModelConfig every other module reads.
import { InvalidConfigError, UnsupportedModelError } from './errors';
import type { ModelConfig } from './types';

type Json = Record<string, unknown>;

const LLAMA_LIKE = new Set(['llama', 'qwen2', 'mistral']);

/**
 * Upper bounds on the sizes config.json states, checked before anything loops over or allocates
 * from them (1e12 layers would otherwise enumerate a trillion tensor names before any weight is
 * compared). Each is far above any model the 4 GB wasm heap or a browser GPU can hold, so only a
 * corrupt or hostile config.json meets them.
 */
export const CONFIG_LIMITS = {
  layers: 1024,
  hidden: 65_536,
  heads: 1024,
  vocab: 4_194_304,
  intermediate: 262_144,
  positions: 1_048_576,
} as const;

/** Parses config.json (text or already-parsed object). Unknown `model_type` is an error. */
export function parseConfig(input: string | Json): ModelConfig {
  const raw = typeof input === 'string' ? parseJsonObject(input) : input;
  const modelType = raw.model_type;
  if (typeof modelType !== 'string') throw new InvalidConfigError('"model_type" is missing');
  if (modelType === 'gpt2') return parseGpt2(raw);
  if (LLAMA_LIKE.has(modelType)) return parseLlama(raw, modelType);
  throw new UnsupportedModelError(`model_type "${modelType}"`);
}

function parseJsonObject(text: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InvalidConfigError(`not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidConfigError('expected a JSON object');
  }
  return value as Json;
}

function parseGpt2(raw: Json): ModelConfig {
  const hiddenSize = positiveInt(raw, 'n_embd', CONFIG_LIMITS.hidden);
  const numHeads = positiveInt(raw, 'n_head', CONFIG_LIMITS.heads);
  const activation = raw.activation_function ?? 'gelu_new';
  if (activation !== 'gelu_new') throw new UnsupportedModelError(`GPT-2 activation "${String(activation)}"`);
  const config: ModelConfig = {
    family: 'gpt2',
    modelType: 'gpt2',
    vocabSize: positiveInt(raw, 'vocab_size', CONFIG_LIMITS.vocab),
    hiddenSize,
    numLayers: positiveInt(raw, 'n_layer', CONFIG_LIMITS.layers),
    numHeads,
    numKvHeads: numHeads,
    headDim: divide(hiddenSize, numHeads, 'n_embd', 'n_head'),
    intermediateSize: optionalPositiveInt(raw, 'n_inner', CONFIG_LIMITS.intermediate) ?? 4 * hiddenSize,
    maxPositions: positiveInt(raw, 'n_positions', CONFIG_LIMITS.positions),
    normEps: optionalNumber(raw, 'layer_norm_epsilon') ?? 1e-5,
    ropeTheta: 0,
    attentionBias: true,
    tieWordEmbeddings: raw.tie_word_embeddings !== false,
    bosTokenId: optionalInt(raw, 'bos_token_id') ?? null,
    eosTokenIds: tokenIds(raw.eos_token_id),
  };
  if (raw.scale_attn_by_inverse_layer_idx === true || raw.reorder_and_upcast_attn === true) {
    throw new UnsupportedModelError('GPT-2 scale_attn_by_inverse_layer_idx / reorder_and_upcast_attn');
  }
  return config;
}

function parseLlama(raw: Json, modelType: string): ModelConfig {
  const hiddenSize = positiveInt(raw, 'hidden_size', CONFIG_LIMITS.hidden);
  const numHeads = positiveInt(raw, 'num_attention_heads', CONFIG_LIMITS.heads);
  const numKvHeads = optionalPositiveInt(raw, 'num_key_value_heads', CONFIG_LIMITS.heads) ?? numHeads;
  if (numHeads % numKvHeads !== 0) {
    throw new InvalidConfigError(`num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  }
  rejectRopeScaling(raw.rope_scaling);
  if (raw.hidden_act !== undefined && raw.hidden_act !== 'silu') {
    throw new UnsupportedModelError(`hidden_act "${String(raw.hidden_act)}"`);
  }
  return {
    family: 'llama',
    modelType,
    vocabSize: positiveInt(raw, 'vocab_size', CONFIG_LIMITS.vocab),
    hiddenSize,
    numLayers: positiveInt(raw, 'num_hidden_layers', CONFIG_LIMITS.layers),
    numHeads,
    numKvHeads,
    headDim:
      optionalPositiveInt(raw, 'head_dim', CONFIG_LIMITS.hidden) ??
      divide(hiddenSize, numHeads, 'hidden_size', 'num_attention_heads'),
    intermediateSize: positiveInt(raw, 'intermediate_size', CONFIG_LIMITS.intermediate),
    maxPositions: positiveInt(raw, 'max_position_embeddings', CONFIG_LIMITS.positions),
    normEps: optionalNumber(raw, 'rms_norm_eps') ?? 1e-6,
    ropeTheta: optionalNumber(raw, 'rope_theta') ?? 10000,
    // Qwen2 always has q/k/v biases; Llama only when attention_bias is set.
    attentionBias: modelType === 'qwen2' ? true : raw.attention_bias === true,
    tieWordEmbeddings: raw.tie_word_embeddings === true,
    bosTokenId: optionalInt(raw, 'bos_token_id') ?? null,
    eosTokenIds: tokenIds(raw.eos_token_id),
  };
}

/** Llama 3 / YaRN / dynamic scaling change the rotary frequencies; not implemented. */
function rejectRopeScaling(scaling: unknown): void {
  if (scaling === undefined || scaling === null) return;
  const type = (scaling as Json).rope_type ?? (scaling as Json).type;
  if (type === 'default') return;
  throw new UnsupportedModelError(`rope_scaling of type "${String(type)}"`);
}

function tokenIds(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new InvalidConfigError(`eos_token_id ${JSON.stringify(value)} is not a token id or a list of them`);
  }
  return list as number[];
}

function positiveInt(raw: Json, key: string, max: number): number {
  const value = optionalPositiveInt(raw, key, max);
  if (value === undefined) throw new InvalidConfigError(`"${key}" is missing`);
  return value;
}

function optionalPositiveInt(raw: Json, key: string, max: number): number | undefined {
  const value = optionalInt(raw, key);
  if (value === undefined) return undefined;
  if (value <= 0) throw new InvalidConfigError(`"${key}" must be positive, got ${value}`);
  if (value > max) throw new InvalidConfigError(`"${key}" is ${value}, more than Attune supports (at most ${max})`);
  return value;
}

function optionalInt(raw: Json, key: string): number | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value)) throw new InvalidConfigError(`"${key}" must be an integer, got ${JSON.stringify(value)}`);
  return value as number;
}

function optionalNumber(raw: Json, key: string): number | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidConfigError(`"${key}" must be a number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function divide(total: number, parts: number, totalKey: string, partsKey: string): number {
  if (total % parts !== 0) throw new InvalidConfigError(`${totalKey} ${total} is not divisible by ${partsKey} ${parts}`);
  return total / parts;
}
