// Which tensors each architecture needs, with their shapes, and the conversion of checkpoint
// tensors into the WeightMap the forward pass reads.
//
// Layout convention (documented in types.ts): every linear weight in the WeightMap is [in, out],
// the layout of GPT-2's Conv1D. Llama-family nn.Linear weights ([out, in] on disk) are transposed
// once here so the forward pass is a plain `x @ W` (transposed matMuls are slow on tfjs-wasm).
import * as tf from '@tensorflow/tfjs';
import { MissingTensorError, TensorShapeError, UnexpectedTensorError } from './errors';
import type { HostTensor } from './safetensors';
import type { ModelConfig, WeightMap } from './types';

/** How a tensor is stored on disk. */
type Layout = 'plain' | 'linear-out-in' | 'conv1d-in-out';

export interface TensorSpec {
  name: string;
  /** Shape as stored in the checkpoint. */
  shape: number[];
  layout: Layout;
  /** Optional tensors (e.g. a Llama o_proj bias) are loaded when present. */
  optional?: boolean;
}

export function expectedTensors(config: ModelConfig): TensorSpec[] {
  const specs = config.family === 'gpt2' ? gpt2Tensors(config) : llamaTensors(config);
  if (!config.tieWordEmbeddings) {
    specs.push({ name: 'lm_head.weight', shape: [config.vocabSize, config.hiddenSize], layout: 'linear-out-in' });
  }
  return specs;
}

function gpt2Tensors(c: ModelConfig): TensorSpec[] {
  const D = c.hiddenSize;
  const I = c.intermediateSize;
  const specs: TensorSpec[] = [
    plain('transformer.wte.weight', [c.vocabSize, D]),
    plain('transformer.wpe.weight', [c.maxPositions, D]),
  ];
  const conv = (name: string, nIn: number, nOut: number): TensorSpec[] => [
    { name: `${name}.weight`, shape: [nIn, nOut], layout: 'conv1d-in-out' },
    plain(`${name}.bias`, [nOut]),
  ];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `transformer.h.${i}`;
    specs.push(
      ...layerNorm(`${p}.ln_1`, D),
      ...conv(`${p}.attn.c_attn`, D, 3 * D),
      ...conv(`${p}.attn.c_proj`, D, D),
      ...layerNorm(`${p}.ln_2`, D),
      ...conv(`${p}.mlp.c_fc`, D, I),
      ...conv(`${p}.mlp.c_proj`, I, D),
    );
  }
  specs.push(...layerNorm('transformer.ln_f', D));
  return specs;
}

function llamaTensors(c: ModelConfig): TensorSpec[] {
  const D = c.hiddenSize;
  const qSize = c.numHeads * c.headDim;
  const kvSize = c.numKvHeads * c.headDim;
  const specs: TensorSpec[] = [plain('model.embed_tokens.weight', [c.vocabSize, D])];
  const linear = (name: string, nIn: number, nOut: number, bias: boolean | 'optional'): TensorSpec[] => {
    const weight: TensorSpec = { name: `${name}.weight`, shape: [nOut, nIn], layout: 'linear-out-in' };
    if (bias === false) return [weight];
    return [weight, { ...plain(`${name}.bias`, [nOut]), optional: bias === 'optional' }];
  };
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}`;
    // Llama's attention_bias also adds an o_proj bias; Qwen2 has none there. Load it if present.
    specs.push(
      plain(`${p}.input_layernorm.weight`, [D]),
      ...linear(`${p}.self_attn.q_proj`, D, qSize, c.attentionBias),
      ...linear(`${p}.self_attn.k_proj`, D, kvSize, c.attentionBias),
      ...linear(`${p}.self_attn.v_proj`, D, kvSize, c.attentionBias),
      ...linear(`${p}.self_attn.o_proj`, qSize, D, 'optional'),
      plain(`${p}.post_attention_layernorm.weight`, [D]),
      ...linear(`${p}.mlp.gate_proj`, D, c.intermediateSize, 'optional'),
      ...linear(`${p}.mlp.up_proj`, D, c.intermediateSize, 'optional'),
      ...linear(`${p}.mlp.down_proj`, c.intermediateSize, D, 'optional'),
    );
  }
  specs.push(plain('model.norm.weight', [D]));
  return specs;
}

function plain(name: string, shape: number[]): TensorSpec {
  return { name, shape, layout: 'plain' };
}

function layerNorm(name: string, size: number): TensorSpec[] {
  return [plain(`${name}.weight`, [size]), plain(`${name}.bias`, [size])];
}

/**
 * GPT-2 checkpoints saved from GPT2Model lack the `transformer.` prefix (e.g. the original
 * `gpt2` repo: `h.0.attn.c_attn.weight`). Normalise to the GPT2LMHeadModel names PEFT targets.
 */
export function canonicalName(config: ModelConfig, name: string): string {
  if (config.family === 'gpt2' && !name.startsWith('transformer.') && name !== 'lm_head.weight') {
    return `transformer.${name}`;
  }
  return name;
}

/**
 * Checkpoint tensors that are buffers, not weights, which Hugging Face also skips on load
 * (`_keys_to_ignore_on_load_unexpected`): GPT-2's causal-mask buffers, old Llama rotary tables.
 */
const IGNORED_TENSORS = [/\.attn\.(masked_)?bias$/, /\.rotary_emb\.inv_freq$/];

/**
 * Validates every needed tensor and uploads it (transposing nn.Linear weights to [in, out]).
 * A tensor the architecture has no place for is refused: it means config.json describes another
 * model (e.g. fewer layers) than the weights hold, which would otherwise load silently.
 */
export function buildWeightMap(config: ModelConfig, checkpoint: ReadonlyMap<string, HostTensor>): WeightMap {
  const byName = new Map<string, HostTensor>();
  for (const [name, tensor] of checkpoint) byName.set(canonicalName(config, name), tensor);
  const specs = expectedTensors(config);
  const known = new Set(specs.map((spec) => spec.name));
  // Tied models may still save the head (PEFT and some exporters do); it is the embedding table.
  if (config.tieWordEmbeddings) known.add('lm_head.weight');
  for (const name of byName.keys()) {
    if (!known.has(name) && !IGNORED_TENSORS.some((pattern) => pattern.test(name))) throw new UnexpectedTensorError(name);
  }
  const host = specs.map((spec) => ({ spec, tensor: checkedTensor(spec, byName.get(spec.name)) }));
  const weights: WeightMap = new Map();
  for (const { spec, tensor } of host) {
    if (!tensor) continue;
    weights.set(spec.name, toDeviceTensor(spec, tensor));
  }
  return weights;
}

function checkedTensor(spec: TensorSpec, tensor: HostTensor | undefined): HostTensor | undefined {
  if (!tensor) {
    if (spec.optional) return undefined;
    throw new MissingTensorError(spec.name, spec.shape);
  }
  const same = tensor.shape.length === spec.shape.length && tensor.shape.every((d, i) => d === spec.shape[i]);
  if (!same) throw new TensorShapeError(spec.name, spec.shape, tensor.shape);
  return tensor;
}

function toDeviceTensor(spec: TensorSpec, tensor: HostTensor): tf.Tensor {
  if (spec.layout !== 'linear-out-in') return tf.tensor(tensor.data, tensor.shape, 'float32');
  const [rows, cols] = tensor.shape as [number, number];
  return tf.tensor2d(transposeHost(tensor.data, rows, cols), [cols, rows], 'float32');
}

/** [rows, cols] -> [cols, rows] on the host, before upload. */
export function transposeHost(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  }
  return out;
}
