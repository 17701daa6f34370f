// PEFT PREFIX_TUNING's layout of a key/value prefix, shared by p-tuning-v2 (the prefix is the
// trained tensor) and prefix-tuning (an MLP computes it). PEFT keeps the prefix of every layer in
// one matrix [P, num_layers·2·token_dim] (`prompt_embeddings` on save) and `get_prompt` reads it as
// view(B, P, num_layers·2, heads, token_dim/heads).permute(2, 0, 3, 1, 4).split(2): for layer l,
// column block 2l is its keys and 2l+1 its values, each [B, heads, P, head_dim]. The blocks enter
// attention as past_key_values: no rotary embedding on them, real tokens at positions P, P+1, …
import * as tf from '@tensorflow/tfjs';
import type { ForwardHooks, ModelConfig } from '../../../model/types';
import { AdapterMismatchError } from '../../errors';
import { readNumber, type JsonObject } from '../../peft/fields';

/** PEFT's key for the prefix in adapter_model.safetensors. */
export const PREFIX_EMBEDDINGS_KEY = 'prompt_embeddings';
export const PREFIX_TUNING_PEFT_TYPE = 'PREFIX_TUNING';

export interface PrefixGeometry {
  layers: number;
  /** PEFT's `num_attention_heads` after `_prepare_prompt_learning_config`: the key/value heads. */
  heads: number;
  headDim: number;
  /** PEFT's `token_dim`: heads · head_dim, the width of one layer's keys (or values). */
  tokenDim: number;
  /** Columns of the whole prefix: layers · 2 · tokenDim. */
  width: number;
}

/**
 * PEFT sizes the prefix by the key/value heads (`_prepare_prompt_learning_config`, for models whose
 * config has num_key_value_heads: token_dim = num_key_value_heads · head_dim, num_attention_heads =
 * num_key_value_heads). GPT-2 has no such field and keeps n_embd and n_head, which is the same
 * formula there (every head has its own keys).
 */
export function prefixGeometry(model: ModelConfig): PrefixGeometry {
  const tokenDim = model.numKvHeads * model.headDim;
  return { layers: model.numLayers, heads: model.numKvHeads, headDim: model.headDim, tokenDim, width: model.numLayers * 2 * tokenDim };
}

/** One layer's keys and values from its [P, 2·tokenDim] column block: each [B, heads, P, head_dim]. */
export function layerKeyValue(block: tf.Tensor2D, batch: number, g: PrefixGeometry): { key: tf.Tensor4D; value: tf.Tensor4D } {
  const P = block.shape[0];
  const kv = tf.transpose(tf.reshape(block, [P, 2, g.heads, g.headDim]), [1, 2, 0, 3]); // [2, heads, P, hd]
  const [key, value] = tf.split(kv, 2, 0) as [tf.Tensor4D, tf.Tensor4D]; // [1, heads, P, hd] each
  const shape: [number, number, number, number] = [batch, g.heads, P, g.headDim];
  return { key: tf.broadcastTo(key, shape) as tf.Tensor4D, value: tf.broadcastTo(value, shape) as tf.Tensor4D };
}

/** Hooks that put `columns(layer)` (the layer's [P, 2·tokenDim] block) in front of its keys and values. */
export function prefixHooks(columns: (layer: number) => tf.Tensor2D, g: PrefixGeometry): ForwardHooks {
  return { keyValuePrefix: (layer, batch) => layerKeyValue(columns(layer), batch, g) };
}

/** A layer's column block of the whole prefix [P, width]. */
export function layerColumns(prefix: tf.Tensor2D, layer: number, g: PrefixGeometry): tf.Tensor2D {
  return tf.slice(prefix, [0, 2 * layer * g.tokenDim], [prefix.shape[0], 2 * g.tokenDim]);
}

/** The PrefixTuningConfig fields PEFT writes, for this model (after `_prepare_prompt_learning_config`). */
export function prefixPeftFields(numVirtualTokens: number, model: ModelConfig, projection: { encoderHiddenSize: number } | null): JsonObject {
  const g = prefixGeometry(model);
  return {
    num_virtual_tokens: numVirtualTokens,
    token_dim: g.tokenDim,
    num_transformer_submodules: 1,
    num_attention_heads: g.heads,
    num_layers: g.layers,
    // PEFT's default encoder_hidden_size is token_dim; it only matters with the projection.
    encoder_hidden_size: projection?.encoderHiddenSize ?? g.tokenDim,
    prefix_projection: projection !== null,
  };
}

/** Whether adapter_config.json asks for the MLP reparameterisation (PEFT's default: false). */
export function usesProjection(json: JsonObject): boolean {
  return json.prefix_projection === true;
}

/**
 * Checks a saved prefix against the model: PEFT's geometry fields and `prompt_embeddings`
 * [P, layers·2·token_dim]. Returns the tensor (not a copy). The config fields were validated.
 */
export function readSavedPrefix(json: JsonObject, tensors: Map<string, tf.Tensor>, numVirtualTokens: number, model: ModelConfig): tf.Tensor {
  const g = prefixGeometry(model);
  const submodules = readNumber(json, 'num_transformer_submodules', 1);
  if (submodules !== 1) throw new AdapterMismatchError(`its num_transformer_submodules is ${submodules}; a causal language model has 1`);
  const checks: [string, number][] = [
    ['num_layers', g.layers],
    ['token_dim', g.tokenDim],
    ['num_attention_heads', g.heads],
  ];
  for (const [field, expected] of checks) {
    const saved = readNumber(json, field, expected);
    if (saved !== expected) throw new AdapterMismatchError(`its ${field} is ${saved}, this model's prefix needs ${expected}`);
  }
  const prefix = tensors.get(PREFIX_EMBEDDINGS_KEY);
  const shape = [numVirtualTokens, g.width];
  if (!prefix) throw new AdapterMismatchError(`adapter_model.safetensors lacks "${PREFIX_EMBEDDINGS_KEY}"`);
  if (prefix.shape.length !== 2 || prefix.shape[0] !== shape[0] || prefix.shape[1] !== shape[1]) {
    throw new AdapterMismatchError(`"${PREFIX_EMBEDDINGS_KEY}" has shape [${prefix.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  const extra = [...tensors.keys()].find((key) => key !== PREFIX_EMBEDDINGS_KEY);
  if (extra !== undefined) throw new AdapterMismatchError(`it has an unexpected tensor "${extra}"`);
  return prefix;
}
