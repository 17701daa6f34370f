// Frozen block weights kept compact, widened one block at a time. A model's linear weights in
// float32 take 4 bytes each in the backend (and XNNPACK keeps a packed float32 copy of every weight
// it multiplies by while that weight lives): at 360M that alone fills the wasm32 heap. Here each
// block's linear weights live as 16-bit words in host memory (bfloat16 when the values are exactly
// bfloat16, as in BF16 checkpoints; otherwise IEEE half, rounded) and become float32 tensors only
// inside the scope of the block that reads them, so one block's float32 weights exist at a time.
// Embeddings, norms, biases and the head stay float32 (the head and the table are one tensor when
// tied, and the embedding lookup reads it every pass).
//
// Widening is exact for BF16 and F16 checkpoints (the stored values come back); a float32 checkpoint
// rounded to half moves logits by about 1e-3 (tools/bench/_fp16_probe.ts).
import * as tf from '@tensorflow/tfjs';
import { halfTable } from './safetensors';
import type { WeightMap } from './types';

export type CompactEncoding = 'bf16' | 'f16';
type Encoding = CompactEncoding;

interface CompactTensor {
  encoding: Encoding;
  bits: Uint16Array;
  shape: number[];
}

/** Float32 tensors widened from compact storage: they live only as long as their block's scope. */
const widened = new WeakSet<tf.Tensor>();

export function isWidenedWeight(tensor: tf.Tensor): boolean {
  return widened.has(tensor);
}

function widen(c: CompactTensor): tf.Tensor {
  const tensor = tf.tensor(decode(c), c.shape, 'float32');
  widened.add(tensor);
  return tensor;
}

/** float32 bits -> IEEE half bits, rounding to nearest even. */
function floatBitsToHalf(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    const m = (mant | 0x800000) >>> (1 - exp);
    const rounded = m + 0xfff + ((m >>> 13) & 1);
    return sign | (rounded >>> 13);
  }
  let h = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h += 1;
  return h;
}

function encode(values: Float32Array, shape: number[]): CompactTensor {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const bits = new Uint16Array(values.length);
  // bfloat16 is float32's upper half: exact whenever every lower half is zero (BF16 files).
  if (words.every((w) => (w & 0xffff) === 0)) {
    for (let i = 0; i < words.length; i++) bits[i] = words[i]! >>> 16;
    return { encoding: 'bf16', bits, shape };
  }
  for (let i = 0; i < words.length; i++) bits[i] = floatBitsToHalf(words[i]!);
  return { encoding: 'f16', bits, shape };
}

function decode(c: CompactTensor): Float32Array {
  const out = new Float32Array(c.bits.length);
  if (c.encoding === 'bf16') {
    const words = new Uint32Array(out.buffer);
    for (let i = 0; i < c.bits.length; i++) words[i] = c.bits[i]! << 16;
  } else {
    const table = halfTable();
    for (let i = 0; i < c.bits.length; i++) out[i] = table[c.bits[i]!]!;
  }
  return out;
}

/** Block linear weights held as 16-bit words, by layer. */
export class CompactBlockWeights {
  private readonly byLayer: Map<string, CompactTensor>[];

  constructor(numLayers: number) {
    this.byLayer = Array.from({ length: numLayers }, () => new Map());
  }

  add(layer: number, name: string, values: Float32Array, shape: number[]): void {
    this.byLayer[layer]!.set(name, encode(values, shape));
  }

  /** Words already in the store's layout ([in, out]), as read from an F16/BF16 file; kept, not copied. */
  addWords(layer: number, name: string, encoding: Encoding, bits: Uint16Array, shape: number[]): void {
    this.byLayer[layer]!.set(name, { encoding, bits, shape });
  }

  names(layer: number): string[] {
    return [...this.byLayer[layer]!.keys()];
  }

  get parameterCount(): number {
    return this.byLayer.reduce((sum, layer) => sum + [...layer.values()].reduce((s, c) => s + c.bits.length, 0), 0);
  }

  /** Bytes held in host memory. */
  get bytes(): number {
    return this.byLayer.reduce((sum, layer) => sum + [...layer.values()].reduce((s, c) => s + c.bits.byteLength, 0), 0);
  }

  /** 'bf16' when every tensor was stored exactly; 'f16' when any was rounded to half. */
  get encoding(): Encoding {
    return this.byLayer.some((layer) => [...layer.values()].some((c) => c.encoding === 'f16')) ? 'f16' : 'bf16';
  }

  /**
   * The weight map for one block: the base map plus this layer's weights as new float32 tensors,
   * tracked by the caller's scope (they are freed when the block's tidy ends).
   */
  layerWeights(base: WeightMap, layer: number): WeightMap {
    const entries = this.byLayer[layer]!;
    if (entries.size === 0) return base;
    const map: WeightMap = new Map(base);
    for (const [name, c] of entries) map.set(name, widen(c));
    return map;
  }

  /** Every compact weight as a float32 tensor (to give a model its float32 weights back). */
  widenAll(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const layer of this.byLayer) for (const [name, c] of layer) out.set(name, tf.tensor(decode(c), c.shape, 'float32'));
    return out;
  }
}

/** Layer index of a block weight name (`model.layers.3.…`, `transformer.h.3.…`), or null. */
export function blockLayerOf(name: string): number | null {
  const match = /^(?:model\.layers|transformer\.h)\.(\d+)\./.exec(name);
  return match ? Number(match[1]) : null;
}

/**
 * Moves the 2-D float32 block weights of `weights` into compact storage: they are removed from the
 * map and their tensors disposed. Returns the compact store.
 */
export function compactBlockLinears(weights: WeightMap, numLayers: number): CompactBlockWeights {
  const store = new CompactBlockWeights(numLayers);
  for (const [name, tensor] of [...weights.entries()]) {
    const layer = blockLayerOf(name);
    if (layer === null || tensor.rank !== 2 || tensor.dtype !== 'float32' || tensor instanceof tf.Variable) continue;
    store.add(layer, name, tensor.dataSync() as Float32Array, [...tensor.shape]);
    weights.delete(name);
    tensor.dispose();
  }
  return store;
}
