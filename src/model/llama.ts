// Llama family (HF LlamaForCausalLM; also Qwen2, SmolLM, Mistral): RMSNorm, rotary positions
// (rotate_half convention), grouped-query attention, SwiGLU MLP, optional q/k/v biases (Qwen2).
import * as tf from '@tensorflow/tfjs';
import type { Architecture, BlockContext, BlockOutput } from './architecture';
import { applyRopeRows, attend, splitHeads } from './attention';
import { canFuseDecodeAttention, decodeAttention } from './decode-attention';
import { canFuseOnWasm, fusedAddRmsNorm } from './fused-wasm';
import { linear, recordingGradients, rmsNorm, swiGlu } from './layers';
import type { ModelConfig, WeightMap } from './types';

/** Queries and keys with rotary positions; a single-position step uses one rotation matMul each. */
function rotatedQueryKey(ctx: BlockContext, qFlat: tf.Tensor, kFlat: tf.Tensor): { q: tf.Tensor4D; k: tf.Tensor4D; qIsScaled: boolean } {
  const c = ctx.config;
  if (ctx.rope!.single) {
    const { query, key } = ctx.rope!.single; // [hd, hd] each; the query's is scaled
    const B = ctx.batch;
    const q = tf.matMul(tf.reshape(qFlat, [B * c.numHeads, c.headDim]) as tf.Tensor2D, query); // [B*nh, hd]
    const k = tf.matMul(tf.reshape(kFlat, [B * c.numKvHeads, c.headDim]) as tf.Tensor2D, key); // [B*nKv, hd]
    return { q: tf.reshape(q, [B, c.numHeads, 1, c.headDim]), k: tf.reshape(k, [B, c.numKvHeads, 1, c.headDim]), qIsScaled: true };
  }
  const { cos, sin } = ctx.rope!;
  const { batch: B, rows: T } = ctx;
  // Rotated on the 2-D rows, then split into heads (attend scales the query).
  const q = splitHeads(applyRopeRows(qFlat as tf.Tensor2D, B, T, c.numHeads, cos, sin), B, T, c.numHeads, c.headDim); // [B, nh, T, hd]
  const k = splitHeads(applyRopeRows(kFlat as tf.Tensor2D, B, T, c.numKvHeads, cos, sin), B, T, c.numKvHeads, c.headDim); // [B, nKv, T, hd]
  return { q, k, qIsScaled: false };
}

/**
 * A decode step (one sequence, one new token after an unmasked cache, no gradients) on wasm: RoPE,
 * the cache append and the attention as one kernel (decode-attention.ts); null where it does not apply.
 */
function fusedDecodeStep(ctx: BlockContext, qFlat: tf.Tensor, kFlat: tf.Tensor, valueFlat: () => tf.Tensor) {
  const c = ctx.config;
  if (!ctx.rope?.single || !ctx.past || ctx.bias || ctx.batch !== 1 || ctx.rows !== 1 || recordingGradients()) return null;
  if (!canFuseDecodeAttention(qFlat, ctx.past.key, ctx.past.value, c.headDim)) return null;
  const shape = { heads: c.numHeads, kvHeads: c.numKvHeads, headDim: c.headDim, position: ctx.positionOffset, ropeTheta: c.ropeTheta };
  return decodeAttention(qFlat as tf.Tensor2D, kFlat as tf.Tensor2D, valueFlat() as tf.Tensor2D, ctx.past.key, ctx.past.value, shape);
}

function selfAttention(ctx: BlockContext, x: tf.Tensor): BlockOutput {
  const { config: c, weights, hooks } = ctx;
  const p = `model.layers.${ctx.layer}.self_attn`;
  const qFlat = linear(weights, `${p}.q_proj`, x, hooks); // [B*T, nh*hd]
  const kFlat = linear(weights, `${p}.k_proj`, x, hooks); // [B*T, nKv*hd]
  const fused = fusedDecodeStep(ctx, qFlat, kFlat, () => linear(weights, `${p}.v_proj`, x, hooks));
  if (fused) return { hidden: linear(weights, `${p}.o_proj`, fused.y, hooks) as tf.Tensor2D, key: fused.key, value: fused.value };
  const v = splitHeads(linear(weights, `${p}.v_proj`, x, hooks), ctx.batch, ctx.rows, c.numKvHeads, c.headDim); // [B, nKv, T, hd]
  const { q, k, qIsScaled } = rotatedQueryKey(ctx, qFlat, kFlat);
  const key = (ctx.past ? tf.concat([ctx.past.key, k], 2) : k) as tf.Tensor4D; // [B, nKv, S+T, hd]
  const value = (ctx.past ? tf.concat([ctx.past.value, v], 2) : v) as tf.Tensor4D;
  const y = attend(q, key, value, ctx.bias, qIsScaled); // [B*T, nh*hd]
  return { hidden: linear(weights, `${p}.o_proj`, y, hooks) as tf.Tensor2D, key, value };
}

function mlp(ctx: BlockContext, x: tf.Tensor): tf.Tensor {
  const p = `model.layers.${ctx.layer}.mlp`;
  const gate = linear(ctx.weights, `${p}.gate_proj`, x, ctx.hooks); // [B*T, I]
  const up = linear(ctx.weights, `${p}.up_proj`, x, ctx.hooks); // [B*T, I]
  return linear(ctx.weights, `${p}.down_proj`, swiGlu(gate, up), ctx.hooks); // [B*T, D]
}

/** x + y and its RMSNorm; one wasm kernel outside gradient recording (fused-wasm.ts). */
function residualThenNorm(x: tf.Tensor, y: tf.Tensor, weight: tf.Tensor, eps: number): { sum: tf.Tensor; normed: tf.Tensor } {
  const width = x.shape[x.shape.length - 1];
  const fusable = weight.rank === 1 && weight.shape[0] === width && x.shape.length === y.shape.length && x.shape.every((n, i) => n === y.shape[i]);
  if (fusable && !recordingGradients() && canFuseOnWasm(x, y, weight)) return fusedAddRmsNorm(x, y, weight, eps);
  const sum = tf.add(x, y);
  return { sum, normed: rmsNorm(sum, weight, eps) };
}

function block(ctx: BlockContext, x: tf.Tensor2D): BlockOutput {
  const p = `model.layers.${ctx.layer}`;
  const eps = ctx.config.normEps;
  const attn = selfAttention(ctx, rmsNorm(x, ctx.weights.get(`${p}.input_layernorm.weight`)!, eps));
  const { sum: h, normed } = residualThenNorm(x, attn.hidden, ctx.weights.get(`${p}.post_attention_layernorm.weight`)!, eps);
  return { hidden: tf.add(h, mlp(ctx, normed)) as tf.Tensor2D, key: attn.key, value: attn.value };
}

function finalNorm<T extends tf.Tensor>(config: ModelConfig, weights: WeightMap, x: T): T {
  return rmsNorm(x, weights.get('model.norm.weight')!, config.normEps) as T;
}

export const llama: Architecture = {
  embeddingName: 'model.embed_tokens.weight',
  addPositions: (_weights, x) => x,
  block,
  finalNorm,
  usesRope: true,
};
