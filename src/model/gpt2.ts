// GPT-2 (Radford et al. 2019; HF GPT2LMHeadModel): learned positions, pre-LayerNorm blocks,
// fused c_attn (Conv1D, weights [in, out]), GELU-tanh MLP, head tied to wte.
import * as tf from '@tensorflow/tfjs';
import type { Architecture, BlockContext, BlockOutput } from './architecture';
import { attend, splitHeads } from './attention';
import { geluTanh, layerNorm, linear } from './layers';
import type { ModelConfig, WeightMap } from './types';

function norm(weights: WeightMap, name: string, x: tf.Tensor, eps: number): tf.Tensor {
  return layerNorm(x, weights.get(`${name}.weight`)!, weights.get(`${name}.bias`)!, eps);
}

function selfAttention(ctx: BlockContext, x: tf.Tensor): BlockOutput {
  const { config: c, weights, hooks } = ctx;
  const p = `transformer.h.${ctx.layer}.attn`;
  const qkv = linear(weights, `${p}.c_attn`, x, hooks); // [B*T, 3D]
  const [q, k, v] = tf.split(qkv, 3, 1).map((t) => splitHeads(t, ctx.batch, ctx.rows, c.numHeads, c.headDim)); // each [B, nh, T, hs]
  const key = ctx.past ? tf.concat([ctx.past.key, k!], 2) : k!; // [B, nh, S+T, hs]
  const value = ctx.past ? tf.concat([ctx.past.value, v!], 2) : v!;
  const y = attend(q!, key as tf.Tensor4D, value as tf.Tensor4D, ctx.bias); // [B*T, D]
  return { hidden: linear(weights, `${p}.c_proj`, y, hooks) as tf.Tensor2D, key: key as tf.Tensor4D, value: value as tf.Tensor4D };
}

function mlp(ctx: BlockContext, x: tf.Tensor): tf.Tensor {
  const p = `transformer.h.${ctx.layer}.mlp`;
  const h = geluTanh(linear(ctx.weights, `${p}.c_fc`, x, ctx.hooks)); // [B*T, 4D]
  return linear(ctx.weights, `${p}.c_proj`, h, ctx.hooks); // [B*T, D]
}

function block(ctx: BlockContext, x: tf.Tensor2D): BlockOutput {
  const p = `transformer.h.${ctx.layer}`;
  const eps = ctx.config.normEps;
  const attn = selfAttention(ctx, norm(ctx.weights, `${p}.ln_1`, x, eps));
  const h = tf.add(x, attn.hidden);
  const out = tf.add(h, mlp(ctx, norm(ctx.weights, `${p}.ln_2`, h, eps))) as tf.Tensor2D; // [B*T, D]
  return { hidden: out, key: attn.key, value: attn.value };
}

function addPositions(weights: WeightMap, x: tf.Tensor3D, positionOffset: number): tf.Tensor3D {
  const T = x.shape[1];
  const table = weights.get('transformer.wpe.weight') as tf.Tensor2D;
  const positions = tf.slice(table, [positionOffset, 0], [T, table.shape[1]]); // [T, D]
  return tf.add(x, positions);
}

function finalNorm<T extends tf.Tensor>(config: ModelConfig, weights: WeightMap, x: T): T {
  return norm(weights, 'transformer.ln_f', x, config.normEps) as T;
}

export const gpt2: Architecture = {
  embeddingName: 'transformer.wte.weight',
  addPositions,
  block,
  finalNorm,
  usesRope: false,
};
