// The key/value cache: per layer, every key and value attended so far (prefix rows included),
// plus the padding mask of those positions. Tensors are kept outside any tidy scope; the owner
// disposes a cache with `disposeCache` once a newer one replaces it.
import type * as tf from '@tensorflow/tfjs';

export interface KVCache {
  /** Per layer: keys and values [B, nKv, S, hd]. */
  layers: { key: tf.Tensor4D; value: tf.Tensor4D }[];
  /** Key mask [B, S] (1 = attend), or null when no position is padding. */
  mask: tf.Tensor2D | null;
  /** S: positions cached (prefix rows + every token processed). */
  length: number;
}

export function disposeCache(cache: KVCache | null | undefined): void {
  if (!cache) return;
  for (const { key, value } of cache.layers) {
    key.dispose();
    value.dispose();
  }
  cache.mask?.dispose();
}
