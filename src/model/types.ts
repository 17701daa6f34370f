// The model contract shared by the runtime (src/model), tuning methods (src/tuning) and the
// engine. Tuning methods only ever touch a model through these hooks and the named weights map,
// so no method edits model code (see docs/architecture.md).
import type * as tf from '@tensorflow/tfjs';

export type ModelFamily = 'gpt2' | 'llama';

/** Normalised view of a Hugging Face config.json (GPT-2, Llama, Qwen2, SmolLM, Mistral-like). */
export interface ModelConfig {
  family: ModelFamily;
  /** HF `model_type` as found in config.json (gpt2, llama, qwen2, mistral, ...). */
  modelType: string;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  maxPositions: number;
  normEps: number;
  /** Llama family only. */
  ropeTheta: number;
  /** Qwen2 has biases on q/k/v; GPT-2 has biases everywhere. */
  attentionBias: boolean;
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenIds: number[];
}

/**
 * Hooks a tuning method installs for one forward pass. All are optional and pure: they receive
 * tensors and return tensors, inside the caller's tidy/grad scope.
 *
 * Linear names are the Hugging Face module paths without the `.weight` suffix, exactly as PEFT
 * targets them: `model.layers.0.self_attn.q_proj` (Llama family), `transformer.h.0.attn.c_attn`
 * (GPT-2), `lm_head`. This keeps PEFT `target_modules` and adapter key names meaningful.
 */
export interface ForwardHooks {
  /** Input embeddings [B, T, D] -> [B, T', D]; a soft prompt prepends P rows (T' = P + T). */
  inputEmbeddings?(embeddings: tf.Tensor3D): tf.Tensor3D;
  /** After a linear layer: x [N, in], y = base output [N, out]; returns the new output [N, out]. */
  linear?(name: string, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D;
  /** Key/value prefix for a layer (prefix tuning, P-tuning v2): each [B, nKv, P, hd], or null. */
  keyValuePrefix?(layer: number, batch: number): { key: tf.Tensor4D; value: tf.Tensor4D } | null;
  /** Block output [B, T, D] -> [B, T, D] (adapters that sit after a block). */
  blockOutput?(layer: number, hidden: tf.Tensor3D): tf.Tensor3D;
}

/**
 * Named base weights; plain tensors, never trainable variables. Keys are HF tensor names
 * (GPT-2 always with the `transformer.` prefix of GPT2LMHeadModel).
 *
 * Layout: every linear weight is stored [in, out] (GPT-2 Conv1D layout). Llama-family checkpoints
 * store nn.Linear weights [out, in]; the loader transposes them once, so the forward pass is a
 * plain `x @ W` (transposed matMuls are slow on tfjs-wasm). Export code that writes HF/PEFT
 * layouts must transpose back. A tied head has no `lm_head.weight` entry (it reuses the
 * embedding table [V, D]). To train a base weight (full fine-tuning), put a trainable
 * tf.Variable under its name: the runtime computes weight gradients only for trainable Variables.
 *
 * Hook timing: `inputEmbeddings` and `keyValuePrefix` run only on a pass without a KV cache (the
 * rows they add then live in the cache). Positions of real tokens start after prefix rows and
 * prepended rows (as in HF with past_key_values / PEFT).
 */
export type WeightMap = Map<string, tf.Tensor>;
