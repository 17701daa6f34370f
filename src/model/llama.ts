// Llama family (HF LlamaForCausalLM; also Qwen2, SmolLM, Mistral): RMSNorm, rotary positions
// (rotate_half convention), grouped-query attention, SwiGLU MLP, optional q/k/v biases (Qwen2).
import * as tf from '@tensorflow/tfjs';
import type { Architecture, BlockContext, BlockOutput } from './architecture';
import { applyRope, attend, splitHeads } from './attention';
import { linear, rmsNorm, silu } from './layers';
import type { ModelConfig, WeightMap } from './types';

function selfAttention(ctx: BlockContext, x: tf.Tensor): BlockOutput {
  const { config: c, weights, hooks } = ctx;
  const p = `model.layers.${ctx.layer}.self_attn`;
  let q = splitHeads(linear(weights, `${p}.q_proj`, x, hooks), c.numHeads, c.headDim); // [B, nh, T, hd]
  let k = splitHeads(linear(weights, `${p}.k_proj`, x, hooks), c.numKvHeads, c.headDim); // [B, nKv, T, hd]
  const v = splitHeads(linear(weights, `${p}.v_proj`, x, hooks), c.numKvHeads, c.headDim); // [B, nKv, T, hd]
  q = applyRope(q, ctx.rope!.cos, ctx.rope!.sin);
  k = applyRope(k, ctx.rope!.cos, ctx.rope!.sin);
  const key = (ctx.past ? tf.concat([ctx.past.key, k], 2) : k) as tf.Tensor4D; // [B, nKv, S+T, hd]
  const value = (ctx.past ? tf.concat([ctx.past.value, v], 2) : v) as tf.Tensor4D;
  const y = attend(q, key, value, ctx.bias); // [B, T, nh*hd]
  return { hidden: linear(weights, `${p}.o_proj`, y, hooks) as tf.Tensor3D, key, value };
}

function mlp(ctx: BlockContext, x: tf.Tensor): tf.Tensor {
  const p = `model.layers.${ctx.layer}.mlp`;
  const gate = silu(linear(ctx.weights, `${p}.gate_proj`, x, ctx.hooks)); // [B, T, I]
  const up = linear(ctx.weights, `${p}.up_proj`, x, ctx.hooks); // [B, T, I]
  return linear(ctx.weights, `${p}.down_proj`, tf.mul(gate, up), ctx.hooks); // [B, T, D]
}

function block(ctx: BlockContext, x: tf.Tensor3D): BlockOutput {
  const p = `model.layers.${ctx.layer}`;
  const eps = ctx.config.normEps;
  const attn = selfAttention(ctx, rmsNorm(x, ctx.weights.get(`${p}.input_layernorm.weight`)!, eps));
  const h = tf.add(x, attn.hidden);
  const normed = rmsNorm(h, ctx.weights.get(`${p}.post_attention_layernorm.weight`)!, eps);
  return { hidden: tf.add(h, mlp(ctx, normed)) as tf.Tensor3D, key: attn.key, value: attn.value };
}

function finalNorm(config: ModelConfig, weights: WeightMap, x: tf.Tensor3D): tf.Tensor3D {
  return rmsNorm(x, weights.get('model.norm.weight')!, config.normEps) as tf.Tensor3D;
}

export const llama: Architecture = {
  embeddingName: 'model.embed_tokens.weight',
  addPositions: (_weights, x) => x,
  block,
  finalNorm,
  usesRope: true,
};
