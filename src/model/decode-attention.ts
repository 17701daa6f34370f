// One decode step's attention for the Llama family as a single tfjs-wasm kernel (inference only).
// A decode step's attention on wasm was ten-odd kernels a layer (two rotation products, two
// concats onto the cache, two attention products, a softmax, reshapes), each tiny but each paying
// the backend's per-kernel dispatch: ≈ 4 ms of a 30 ms 135M token. Here one pass over the wasm heap
// rotates the new query and key (RoPE, HF's rotate_half convention), appends the key and value to
// the cache (new [B, nKv, S + 1, hd] tensors, as the concat did: nothing is mutated), and attends
// the one query to every cached key. Arithmetic is in float64, rounded once per output element.
import * as tf from '@tensorflow/tfjs';
import { canFuseOnWasm } from './fused-wasm';
import { runWasmKernel, type WasmKernelArgs } from './wasm-kernel';

const DECODE_ATTENTION_KERNEL = 'AttuneDecodeAttention';

export interface DecodeAttentionShape {
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Absolute position of the new token (RoPE angle). */
  position: number;
  ropeTheta: number;
}

/** cos/sin of the new position per frequency, rounded as torch does (float32 inv_freq and angle). */
function ropeAngles(position: number, headDim: number, theta: number): { cos: Float64Array; sin: Float64Array } {
  const half = headDim / 2;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let a = 0; a < half; a++) {
    const invFreq = Math.fround(1 / Math.pow(theta, (2 * a) / headDim));
    const angle = Math.fround(position * invFreq);
    cos[a] = Math.fround(Math.cos(angle));
    sin[a] = Math.fround(Math.sin(angle));
  }
  return { cos, sin };
}

/**
 * Rotates x[from .. from + hd) into out[to ..): out[a] = x[a]c − x[b]s, out[b] = x[b]c + x[a]s,
 * b = a + hd/2. (Always into a Float64Array: one element type per call site keeps V8's access fast.)
 */
function rotate(x: Float32Array, from: number, out: Float64Array, to: number, cos: Float64Array, sin: Float64Array): void {
  const half = cos.length;
  for (let a = 0; a < half; a++) {
    const x1 = x[from + a]!;
    const x2 = x[from + a + half]!;
    out[to + a] = x1 * cos[a]! - x2 * sin[a]!;
    out[to + a + half] = x2 * cos[a]! + x1 * sin[a]!;
  }
}

/**
 * softmax(q·kᵀ)·v for every query head over the cache: query [nh*hd] (rotated, scaled), keyAll and
 * valueAll [nKv, keys, hd], out [nh*hd]. Each kv head's key and value rows are read once for all of
 * its `groups` query heads, and the dot products are unrolled by four (V8 does not vectorise). Its
 * own small function: V8 optimised these loops ≈ 2× better here than inlined in the kernel.
 */
function attendRotated(
  query: Float64Array,
  keyAll: Float32Array,
  valueAll: Float32Array,
  out: Float32Array,
  kvHeads: number,
  groups: number,
  keys: number,
  hd: number,
): void {
  const probs = new Float64Array(groups * keys);
  const acc = new Float64Array(groups * hd);
  for (let g = 0; g < kvHeads; g++) {
    const base = g * keys * hd;
    for (let m = 0; m < groups; m++) {
      const qo = (g * groups + m) * hd;
      const po = m * keys;
      let max = -Infinity;
      for (let j = 0; j < keys; j++) {
        const row = base + j * hd;
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        for (let i = 0; i < hd; i += 4) {
          d0 += query[qo + i]! * keyAll[row + i]!;
          d1 += query[qo + i + 1]! * keyAll[row + i + 1]!;
          d2 += query[qo + i + 2]! * keyAll[row + i + 2]!;
          d3 += query[qo + i + 3]! * keyAll[row + i + 3]!;
        }
        const score = d0 + d1 + d2 + d3;
        probs[po + j] = score;
        if (score > max) max = score;
      }
      let total = 0;
      for (let j = 0; j < keys; j++) {
        const e = Math.exp(probs[po + j]! - max);
        probs[po + j] = e;
        total += e;
      }
      for (let j = 0; j < keys; j++) probs[po + j] = probs[po + j]! / total;
    }
    // out[m, i] = Σ_j p[m, j] · v[j, i], four columns at a time in scalar accumulators (V8 keeps
    // them in registers; a read-modify-write of acc per key was ≈ 2× slower).
    for (let m = 0; m < groups; m++) {
      const po = m * keys;
      const ao = m * hd;
      for (let i = 0; i < hd; i += 4) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        for (let j = 0; j < keys; j++) {
          const p = probs[po + j]!;
          const r = base + j * hd + i;
          a0 += p * valueAll[r]!;
          a1 += p * valueAll[r + 1]!;
          a2 += p * valueAll[r + 2]!;
          a3 += p * valueAll[r + 3]!;
        }
        acc[ao + i] = a0;
        acc[ao + i + 1] = a1;
        acc[ao + i + 2] = a2;
        acc[ao + i + 3] = a3;
      }
    }
    // An element loop, not out.set(acc): TypedArray.set between element types takes a slow generic path.
    const oo = g * groups * hd;
    for (let i = 0; i < acc.length; i++) out[oo + i] = acc[i]!;
  }
}

export function decodeAttentionKernel({ inputs, backend: wasm, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const { heads, kvHeads, headDim: hd, position, ropeTheta } = attrs as unknown as DecodeAttentionShape;
  const past = inputs.pastKey!.shape[2]!;
  const keys = past + 1;
  const y = wasm.makeOutput([1, heads * hd], 'float32');
  const keyOut = wasm.makeOutput([1, kvHeads, keys, hd], 'float32');
  const valueOut = wasm.makeOutput([1, kvHeads, keys, hd], 'float32');
  // Views after every allocation: makeOutput may grow the heap, which detaches older views.
  const q = wasm.typedArrayFromHeap(inputs.q!);
  const k = wasm.typedArrayFromHeap(inputs.k!);
  const v = wasm.typedArrayFromHeap(inputs.v!);
  const pastKey = wasm.typedArrayFromHeap(inputs.pastKey!);
  const pastValue = wasm.typedArrayFromHeap(inputs.pastValue!);
  const ys = wasm.typedArrayFromHeap(y);
  const keyAll = wasm.typedArrayFromHeap(keyOut);
  const valueAll = wasm.typedArrayFromHeap(valueOut);
  const { cos, sin } = ropeAngles(position, hd, ropeTheta);
  // The cache after this step: each kv head's past rows, then the new (rotated) key / value row.
  const rotatedKey = new Float64Array(kvHeads * hd);
  for (let g = 0; g < kvHeads; g++) rotate(k, g * hd, rotatedKey, g * hd, cos, sin);
  for (let g = 0; g < kvHeads; g++) {
    const src = g * past * hd;
    const dst = g * keys * hd;
    keyAll.set(pastKey.subarray(src, src + past * hd), dst);
    valueAll.set(pastValue.subarray(src, src + past * hd), dst);
    for (let i = 0; i < hd; i++) keyAll[dst + past * hd + i] = rotatedKey[g * hd + i]!;
    valueAll.set(v.subarray(g * hd, (g + 1) * hd), dst + past * hd);
  }
  // Query head h reads kv head floor(h / groups) (HF repeat_kv); the query carries 1/sqrt(hd).
  const scale = 1 / Math.sqrt(hd);
  const query = new Float64Array(heads * hd);
  for (let h = 0; h < heads; h++) rotate(q, h * hd, query, h * hd, cos, sin);
  for (let i = 0; i < query.length; i++) query[i] = query[i]! * scale;
  attendRotated(query, keyAll, valueAll, ys, kvHeads, (heads / kvHeads) | 0, keys, hd);
  return [y, keyOut, valueOut];
}

/**
 * Cached positions up to which the fused step is used. Its attention loops are JavaScript (no SIMD):
 * per cached key they cost about twice the stock kernels', which lose instead on their fixed
 * per-kernel cost. At the 135M shape (2026-12-08, 2 cores) the fused step won at 128 cached
 * positions (36 against 43 ms a token) and lost at 256 (55 against 50 ms); longer contexts keep the
 * stock kernels.
 */
export const MAX_FUSED_PAST = 192;

/**
 * Whether the fused step applies: wasm, float32, one sequence, one new token after a cache of at
 * most MAX_FUSED_PAST positions, a head size the unrolled loops cover.
 */
export function canFuseDecodeAttention(q: tf.Tensor, pastKey: tf.Tensor, pastValue: tf.Tensor, headDim: number): boolean {
  return headDim % 4 === 0 && q.shape[0] === 1 && pastKey.shape[0] === 1 && pastKey.shape[2]! <= MAX_FUSED_PAST && canFuseOnWasm(q, pastKey, pastValue);
}

/**
 * q [1, nh*hd], k/v [1, nKv*hd] (projections of the new token, before RoPE); pastKey/pastValue
 * [1, nKv, S, hd] (keys already rotated). Returns the attention output [1, nh*hd] and the cache
 * with the new token [1, nKv, S + 1, hd]. No mask: every cached position is attended.
 */
export function decodeAttention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  pastKey: tf.Tensor4D,
  pastValue: tf.Tensor4D,
  shape: DecodeAttentionShape,
): { y: tf.Tensor2D; key: tf.Tensor4D; value: tf.Tensor4D } {
  const [y, key, value] = runWasmKernel<tf.Tensor[]>(DECODE_ATTENTION_KERNEL, decodeAttentionKernel, { q, k, v, pastKey, pastValue }, { ...shape });
  return { y: y as tf.Tensor2D, key: key as tf.Tensor4D, value: value as tf.Tensor4D };
}
