// What differs between model families, behind one small interface the forward pass drives.
import type * as tf from '@tensorflow/tfjs';
import type { ForwardHooks, ModelConfig, WeightMap } from './types';

/** Everything one transformer block needs besides its input. */
export interface BlockContext {
  config: ModelConfig;
  weights: WeightMap;
  hooks: ForwardHooks | undefined;
  layer: number;
  /** Additive attention bias [B, 1, T, K] or null. */
  bias: tf.Tensor4D | null;
  /** Absolute position of the first new token. */
  positionOffset: number;
  /** Keys/values already attended to (cache and/or prefix) [B, nKv, S, hd], or null. */
  past: { key: tf.Tensor4D; value: tf.Tensor4D } | null;
  /**
   * Rotary tables [T, hd] for the new rows (Llama family only); for a single-position step also
   * the block-diagonal rotation matrices (the query's carries the 1/sqrt(hd) attention scale).
   */
  rope: { cos: tf.Tensor2D; sin: tf.Tensor2D; single: { query: tf.Tensor2D; key: tf.Tensor2D } | null } | null;
}

export interface BlockOutput {
  hidden: tf.Tensor3D; // [B, T, D]
  /** Past + new keys/values [B, nKv, S + T, hd], kept for the cache. */
  key: tf.Tensor4D;
  value: tf.Tensor4D;
}

export interface Architecture {
  /** HF name of the token embedding table [V, D]. */
  embeddingName: string;
  /** Adds position information to the input embeddings (GPT-2's learned positions); identity otherwise. */
  addPositions(weights: WeightMap, x: tf.Tensor3D, positionOffset: number): tf.Tensor3D;
  block(ctx: BlockContext, x: tf.Tensor3D): BlockOutput;
  finalNorm(config: ModelConfig, weights: WeightMap, x: tf.Tensor3D): tf.Tensor3D;
  usesRope: boolean;
}
