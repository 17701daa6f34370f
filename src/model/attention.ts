// Scaled dot-product attention shared by both families: grouped-query heads, KV cache,
// key/value prefixes, and an additive mask built from the causal structure and padding.
import * as tf from '@tensorflow/tfjs';
import { batchedMatMul } from './batched-matmul';
import { recordingGradients } from './layers';

/** A large negative number instead of -Infinity so fully masked rows stay finite. */
const MASKED = -1e9;

/**
 * q [B, nh, T, hd], k/v [B, nKv, K, hd] (K = keys including past and prefix);
 * bias [B, 1, T, K] or null. Returns [B * T, nh * hd] (hidden states are 2-D inside blocks).
 */
export function attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D | null, qIsScaled = false): tf.Tensor2D {
  const [B, nh, T, hd] = q.shape;
  const nKv = k.shape[1];
  const K = k.shape[2];
  const groups = nh / nKv;
  // Query head h uses kv head floor(h / groups) (HF repeat_kv). Folding the group into the
  // query-row axis lets one product per kv head serve all its query heads without copying keys.
  const scaled = qIsScaled ? q : tf.mul(q, 1 / Math.sqrt(hd));
  const dims: AttentionDims = { batch: B, heads: nh, queries: T, keys: K };
  if (T === 1) {
    // Decode step: tiny products, where one batched matMul beats per-head kernels.
    const qGrouped = tf.reshape(scaled, [B, nKv, groups, hd]);
    const probs = softmaxWithBias(tf.reshape(tf.matMul(qGrouped, k, false, true), [B * nKv, groups, K]) as tf.Tensor3D, bias, dims);
    // With one query row the head/time swap moves no data: a reshape is enough.
    return tf.reshape(tf.matMul(tf.reshape(probs, [B, nKv, groups, K]), v), [B, nh * hd]);
  }
  const n = B * nKv;
  const out = attentionCore(
    tf.reshape(scaled, [n, groups * T, hd]) as tf.Tensor3D,
    tf.reshape(k, [n, K, hd]) as tf.Tensor3D,
    tf.reshape(v, [n, K, hd]) as tf.Tensor3D,
    bias,
    dims,
  ); // [B*nKv, groups*T, hd] = [B, nh, T, hd]
  return tf.reshape(tf.transpose(tf.reshape(out, [B, nh, T, hd]), [0, 2, 1, 3]), [B * T, nh * hd]); // [B*T, nh*hd]
}

interface AttentionDims {
  batch: number;
  heads: number;
  queries: number;
  keys: number;
}

/** softmax over keys of scores [B*nKv, groups*T, K] plus bias [B, 1, T, K] (unfolded to [B, nh, T, K] to add it). */
function softmaxWithBias(scores: tf.Tensor3D, bias: tf.Tensor4D | null, d: AttentionDims): tf.Tensor3D {
  if (!bias) return tf.softmax(scores);
  const unfolded = tf.reshape(scores, [d.batch, d.heads, d.queries, d.keys]);
  return tf.reshape(tf.softmax(tf.add(unfolded, bias)), scores.shape);
}

/**
 * softmax(q kᵀ + bias) v for n head groups: q [n, M, hd] (already scaled), k/v [n, K, hd] -> [n, M, hd].
 * While gradients are recorded, a hand-written backward (softmax's Jacobian-vector product and four
 * products per group) replaces the stock chain, so every product goes through `batchedMatMul`.
 * The bias is a constant (mask): only the forward reads it, so it need not be an input.
 */
export function attentionCore(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, bias: tf.Tensor4D | null, d: AttentionDims): tf.Tensor3D {
  const probsOf = (qs: tf.Tensor3D, ks: tf.Tensor3D) => softmaxWithBias(batchedMatMul(qs, ks, false, true), bias, d); // [n, M, K]
  if (!recordingGradients()) return tf.tidy(() => batchedMatMul(probsOf(q, k), v)); // scores freed at once
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [qIn, kIn, vIn, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    const probs = probsOf(qIn, kIn);
    save([qIn, kIn, vIn, probs]);
    return {
      value: batchedMatMul(probs, vIn), // [n, M, hd]
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [qs, ks, vs, p] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
          const dOut = dy as tf.Tensor3D;
          const dProbs = batchedMatMul(dOut, vs, false, true); // [n, M, K]
          const dv = batchedMatMul(p, dOut, true, false); // [n, K, hd]
          // softmax backward: dS = P ⊙ (dP − Σ_k dP ⊙ P); masked entries have P = 0.
          const dScores = tf.mul(p, tf.sub(dProbs, tf.sum(tf.mul(dProbs, p), -1, true))) as tf.Tensor3D;
          const dq = batchedMatMul(dScores, ks); // [n, M, hd]
          const dk = batchedMatMul(dScores, qs, true, false); // [n, K, hd]
          return [dq, dk, dv];
        }),
    };
  });
  return op(q, k, v) as tf.Tensor3D;
}

/** [B * T, n * hd] -> [B, n, T, hd] */
export function splitHeads(x: tf.Tensor, batch: number, rows: number, numHeads: number, headDim: number): tf.Tensor4D {
  if (rows === 1) return tf.reshape(x, [batch, numHeads, 1, headDim]); // no data moves for one row
  return tf.transpose(tf.reshape(x, [batch, rows, numHeads, headDim]), [0, 2, 1, 3]);
}

/**
 * Additive attention bias [B, 1, T, K] for T new queries placed after `pastLength` keys:
 * query i may see key j when j <= pastLength + i and keyMask[b, j] = 1.
 * Returns null when nothing is masked (a single new token and no padding anywhere).
 */
export function attentionBias(keyMask: tf.Tensor2D | null, batch: number, queries: number, pastLength: number): tf.Tensor4D | null {
  const keys = pastLength + queries;
  if (!keyMask && queries === 1) return null;
  const causal = new Float32Array(queries * keys);
  for (let i = 0; i < queries; i++) {
    for (let j = pastLength + i + 1; j < keys; j++) causal[i * keys + j] = MASKED;
  }
  const causalBias = tf.tensor4d(causal, [1, 1, queries, keys]);
  if (!keyMask) return tf.tile(causalBias, [batch, 1, 1, 1]) as tf.Tensor4D;
  const paddingBias = tf.mul(tf.sub(1, tf.reshape(keyMask, [batch, 1, 1, keys])), MASKED);
  return tf.add(causalBias, paddingBias) as tf.Tensor4D;
}

/**
 * Rotary position embedding in HF's rotate_half convention:
 * x * cos + rotate_half(x) * sin, with rotate_half([x1, x2]) = [-x2, x1] over the head dim.
 * x [B, n, T, hd]; positions are the absolute token positions of the T rows.
 */
export function applyRope(x: tf.Tensor4D, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor4D {
  const half = x.shape[3] / 2;
  const [x1, x2] = tf.split(x, [half, half], 3);
  const rotated = tf.concat([tf.neg(x2!), x1!], 3);
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin)) as tf.Tensor4D;
}

/**
 * RoPE on hidden rows [B * T, n * hd] (before the heads are split), for T > 1:
 * x * cos + rotate_half(x) * sin with cos/sin [T, hd] broadcast over batch and heads, and
 * rotate_half as a product with a signed permutation matrix (exact: one ±1 per column), so no
 * split/concat copies are made and its gradient is one more small product.
 */
export function applyRopeRows(x: tf.Tensor2D, batch: number, rows: number, heads: number, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor2D {
  const hd = cos.shape[1];
  const x4 = tf.reshape(x, [batch, rows, heads, hd]);
  const rotated = tf.reshape(rotateHalf(tf.reshape(x, [-1, hd]) as tf.Tensor2D), [batch, rows, heads, hd]);
  const c = tf.reshape(cos, [rows, 1, hd]);
  const s = tf.reshape(sin, [rows, 1, hd]);
  return tf.reshape(tf.add(tf.mul(x4, c), tf.mul(rotated, s)), x.shape) as tf.Tensor2D;
}

/**
 * rotate_half over the last axis of x [N, hd] as x @ R. R is antisymmetric (Rᵀ = −R), so the
 * gradient is −dy @ R: built fresh in the backward too, since a customGrad may only read saved tensors.
 */
function rotateHalf(x: tf.Tensor2D): tf.Tensor2D {
  const hd = x.shape[1];
  if (!recordingGradients()) return tf.matMul(x, rotateHalfMatrix(hd, 1));
  const op = tf.customGrad((xIn) => ({
    value: tf.matMul(xIn as tf.Tensor2D, rotateHalfMatrix(hd, 1)),
    gradFunc: (dy) => tf.tidy(() => tf.matMul(dy as tf.Tensor2D, rotateHalfMatrix(hd, -1))),
  }));
  return op(x) as tf.Tensor2D;
}

/** sign · R with x @ R = rotate_half(x) = [−x2, x1]  (row = input index, column = output index). */
function rotateHalfMatrix(hd: number, sign: number): tf.Tensor2D {
  const half = hd / 2;
  const m = new Float32Array(hd * hd);
  for (let a = 0; a < half; a++) {
    m[(a + half) * hd + a] = -sign; // out[a] = −x[a + half]
    m[a * hd + a + half] = sign; // out[a + half] = x[a]
  }
  return tf.tensor2d(m, [hd, hd]);
}

/**
 * RoPE for rows that all sit at one position (a decode step), as one small matMul over the head
 * dimension: x [N * heads, hd] @ M [hd, hd], where M is the rotation
 * x * cos + rotate_half(x) * sin, times `scale` (1/sqrt(hd) folds the attention scaling into the
 * query). One kernel instead of six elementwise ones per tensor.
 */
export function ropeMatrix(position: number, headDim: number, theta: number, scale: number): tf.Tensor2D {
  const half = headDim / 2;
  const m = new Float32Array(headDim * headDim);
  for (let a = 0; a < half; a++) {
    const invFreq = Math.fround(1 / Math.pow(theta, (2 * a) / headDim));
    const angle = Math.fround(position * invFreq);
    const c = Math.cos(angle) * scale;
    const s = Math.sin(angle) * scale;
    const b = a + half; // partner of index a in the second half
    // out[a] = x[a] c - x[b] s ; out[b] = x[b] c + x[a] s   (row = input index, column = output)
    m[a * headDim + a] = c;
    m[b * headDim + a] = -s;
    m[b * headDim + b] = c;
    m[a * headDim + b] = s;
  }
  return tf.tensor2d(m, [headDim, headDim]);
}

/** cos/sin tables [T, hd] for positions offset..offset+T-1 (frequencies duplicated as in HF). */
export function ropeTables(offset: number, length: number, headDim: number, theta: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const half = headDim / 2;
  const cos = new Float32Array(length * headDim);
  const sin = new Float32Array(length * headDim);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < half; i++) {
      // Same float32 rounding as torch: inv_freq is computed in float32 there.
      const invFreq = Math.fround(1 / Math.pow(theta, (2 * i) / headDim));
      const angle = Math.fround((offset + t) * invFreq);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[t * headDim + i] = c;
      cos[t * headDim + i + half] = c;
      sin[t * headDim + i] = s;
      sin[t * headDim + i + half] = s;
    }
  }
  return { cos: tf.tensor2d(cos, [length, headDim]), sin: tf.tensor2d(sin, [length, headDim]) };
}
