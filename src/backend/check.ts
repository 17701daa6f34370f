// A tiny end-to-end check that the active backend computes correctly: one small matmul on the
// backend against a plain JavaScript triple loop on the CPU (an independent reference, not tfjs).
import * as tf from '@tensorflow/tfjs';

export interface MatmulCheck {
  backend: string;
  maxAbsDiff: number;
  /** Within float32 accumulation error for this size. */
  matches: boolean;
}

const TOLERANCE = 1e-4;

function referenceMatmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[i * k + p]! * b[p * n + j]!;
      out[i * n + j] = sum;
    }
  return out;
}

/** Deterministic inputs in [-1, 1] so a failure is reproducible. */
function pseudoRandom(length: number, seed: number): Float32Array {
  const values = new Float32Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    values[i] = (state / 2147483648) * 2 - 1;
  }
  return values;
}

export async function checkMatmul(m = 8, k = 16, n = 4): Promise<MatmulCheck> {
  const a = pseudoRandom(m * k, 1);
  const b = pseudoRandom(k * n, 2);
  const product = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
  const actual = await product.data();
  product.dispose();
  const expected = referenceMatmul(a, b, m, k, n);
  let maxAbsDiff = 0;
  for (let i = 0; i < expected.length; i++)
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(actual[i]! - expected[i]!));
  return { backend: tf.getBackend(), maxAbsDiff, matches: maxAbsDiff <= TOLERANCE };
}
