// What differs between model families, behind one small interface the forward pass drives.
import type * as tf from '@tensorflow/tfjs';
import type { ForwardHooks, ModelConfig, WeightMap } from './types';

/** Everything one transformer block needs besides its input. */
export interface BlockContext {
  config: ModelConfig;
  weights: WeightMap;
  hooks: ForwardHooks | undefined;
  layer: number;
  /** Hidden states inside blocks are 2-D [batch * rows, D]: linears need no reshapes. */
  batch: number;
  rows: number;
  /** Additive attention bias [B, 1, T, K] or null. */
  bias: tf.Tensor4D | null;
  /** Absolute position of the first new token. */
  positionOffset: number;
  /** Keys/values already attended to (cache and/or prefix) [B, nKv, S, hd], or null. */
  past: { key: tf.Tensor4D; value: tf.Tensor4D } | null;
  /**
   * Rotary tables [T, hd] for the new rows (Llama family only); for a single-position step also
   * the [hd, hd] rotation matrices (the query's carries the 1/sqrt(hd) attention scale).
   */
  rope: { cos: tf.Tensor2D; sin: tf.Tensor2D; single: { query: tf.Tensor2D; key: tf.Tensor2D } | null } | null;
}

export interface BlockOutput {
  hidden: tf.Tensor2D; // [B*T, D]
  /** Past + new keys/values [B, nKv, S + T, hd], kept for the cache. */
  key: tf.Tensor4D;
  value: tf.Tensor4D;
}

export interface Architecture {
  /** HF name of the token embedding table [V, D]. */
  embeddingName: string;
  /** Adds position information to the input embeddings (GPT-2's learned positions); identity otherwise. */
  addPositions(weights: WeightMap, x: tf.Tensor3D, positionOffset: number): tf.Tensor3D;
  /** x [B*T, D] -> [B*T, D] */
  block(ctx: BlockContext, x: tf.Tensor2D): BlockOutput;
  finalNorm<T extends tf.Tensor>(config: ModelConfig, weights: WeightMap, x: T): T;
  usesRope: boolean;
}
