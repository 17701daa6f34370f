// Which tensors each architecture needs, with their shapes, and the conversion of checkpoint
// tensors into the WeightMap the forward pass reads.
//
// Layout convention (documented in types.ts): every linear weight in the WeightMap is [in, out],
// the layout of GPT-2's Conv1D. Llama-family nn.Linear weights ([out, in] on disk) are transposed
// once here so the forward pass is a plain `x @ W` (transposed matMuls are slow on tfjs-wasm).
import * as tf from '@tensorflow/tfjs';
import { blockLayerOf, CompactBlockWeights } from './compact-weights';
import { architectureOf } from './families';
import { MissingTensorError, TensorShapeError, UnexpectedTensorError } from './errors';
import { halfTable, rawHalfWords, rawToFloat32, type HostTensor, type RawTensor } from './safetensors';
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

/** A checkpoint tensor: decoded (HostTensor) or as stored in its file (RawTensor). */
type SourceTensor = HostTensor | RawTensor;

export interface BuildOptions {
  /**
   * Keep the block linear weights compact (16-bit words in host memory, compact-weights.ts)
   * instead of uploading them as float32: F16/BF16 files are stored as they are, never widened
   * as a whole; float32 ones are rounded to half.
   */
  compact?: boolean;
}

/**
 * Validates every needed tensor and uploads it (transposing nn.Linear weights to [in, out]).
 * A tensor the architecture has no place for is refused: it means config.json describes another
 * model (e.g. fewer layers) than the weights hold, which would otherwise load silently.
 */
export function buildWeightMap(config: ModelConfig, checkpoint: ReadonlyMap<string, SourceTensor>): WeightMap {
  const { weights, tiedHead } = buildModelWeights(config, checkpoint);
  tiedHead?.dispose();
  return weights;
}

/** As buildWeightMap; with `compact`, the block linears go to the returned compact store instead. */
export function buildModelWeights(
  config: ModelConfig,
  checkpoint: ReadonlyMap<string, SourceTensor>,
  options: BuildOptions = {},
): { weights: WeightMap; compact: CompactBlockWeights | null; tiedHead: tf.Tensor2D | null } {
  const byName = new Map<string, SourceTensor>();
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
  const compact = options.compact ? new CompactBlockWeights(config.numLayers) : null;
  let tiedHead: tf.Tensor2D | null = null;
  try {
    for (const { spec, tensor } of host) {
      if (!tensor) continue;
      const layer = blockLayerOf(spec.name);
      if (compact && layer !== null && spec.shape.length === 2) addCompact(compact, layer, spec, tensor);
      else weights.set(spec.name, toDeviceTensor(spec, tensor));
    }
    // A tied head multiplies by the table's [D, V] transpose: made here from the host values (a
    // tiled host transpose takes a fraction of tfjs-wasm's transpose kernel's time at 49k × 576).
    if (config.tieWordEmbeddings) {
      const name = architectureOf(config).embeddingName;
      const table = byName.get(name)!;
      tiedHead = tf.tensor2d(transposedFloat32(name, table), [table.shape[1]!, table.shape[0]!], 'float32');
    }
  } catch (error) {
    for (const tensor of weights.values()) tensor.dispose();
    throw error;
  }
  return { weights, compact, tiedHead };
}

function checkedTensor(spec: TensorSpec, tensor: SourceTensor | undefined): SourceTensor | undefined {
  if (!tensor) {
    if (spec.optional) return undefined;
    throw new MissingTensorError(spec.name, spec.shape);
  }
  const same = tensor.shape.length === spec.shape.length && tensor.shape.every((d, i) => d === spec.shape[i]);
  if (!same) throw new TensorShapeError(spec.name, spec.shape, tensor.shape);
  return tensor;
}

/**
 * float32 values of a source tensor. A raw F32 one is read in place (no copy) when the values are
 * only read here (a transpose makes its own array) or when the backend copies them into its own
 * memory at once (wasm: into its heap); the CPU backend keeps the array it is given, which would
 * keep the whole file alive, and WebGPU keeps it until first use.
 */
function float32Of(spec: TensorSpec, tensor: SourceTensor, readOnly: boolean): Float32Array {
  return 'data' in tensor ? tensor.data : rawToFloat32(spec.name, tensor, !(readOnly || tf.getBackend() === 'wasm'));
}

function toDeviceTensor(spec: TensorSpec, tensor: SourceTensor): tf.Tensor {
  if (spec.layout !== 'linear-out-in') return tf.tensor(float32Of(spec, tensor, false), tensor.shape, 'float32');
  const [rows, cols] = tensor.shape as [number, number];
  return tf.tensor2d(transposedFloat32(spec.name, tensor), [cols, rows], 'float32');
}

/** A 2-D tensor's [cols, rows] transpose as float32; 16-bit words are widened in the same pass. */
function transposedFloat32(name: string, tensor: SourceTensor): Float32Array {
  const [rows, cols] = tensor.shape as [number, number];
  if ('data' in tensor) return transposeHost(tensor.data, rows, cols);
  if (tensor.dtype === 'F32') return transposeHost(rawToFloat32(name, tensor, false), rows, cols);
  return transposeWidening(rawHalfWords(name, tensor), rows, cols, tensor.dtype);
}

/** A block linear into compact storage, as [in, out]: 16-bit files keep their words (copied). */
function addCompact(store: CompactBlockWeights, layer: number, spec: TensorSpec, tensor: SourceTensor): void {
  const [rows, cols] = tensor.shape as [number, number];
  const shape = spec.layout === 'linear-out-in' ? [cols, rows] : [rows, cols];
  if (!('data' in tensor) && tensor.dtype !== 'F32') {
    const words = rawHalfWords(spec.name, tensor);
    const own = spec.layout === 'linear-out-in' ? transposeHost(words, rows, cols) : words.slice();
    store.addWords(layer, spec.name, tensor.dtype === 'BF16' ? 'bf16' : 'f16', own, shape);
    return;
  }
  const data = float32Of(spec, tensor, true);
  store.add(layer, spec.name, spec.layout === 'linear-out-in' ? transposeHost(data, rows, cols) : data, shape);
}

/**
 * Tile edge of the host transposes: each output row is written 64 values at a time, in order,
 * from 64 input rows (measured here: about 2× faster than 32 × 32 tiles walked by input row).
 */
const TILE = 64;

/** [rows, cols] -> [cols, rows] on the host, before upload; tiled so neither side strides far. */
export function transposeHost<T extends Float32Array | Uint16Array>(data: T, rows: number, cols: number): T {
  const out = new (data.constructor as { new (length: number): T })(data.length);
  for (let c0 = 0; c0 < cols; c0 += TILE) {
    const c1 = Math.min(cols, c0 + TILE);
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(rows, r0 + TILE);
      for (let c = c0; c < c1; c++) {
        let to = c * rows + r0;
        for (let from = r0 * cols + c, r = r0; r < r1; r++, from += cols) out[to++] = data[from]!;
      }
    }
  }
  return out;
}

/** As transposeHost, from F16 or BF16 words to float32 (one pass over the weights, not two). */
function transposeWidening(words: Uint16Array, rows: number, cols: number, dtype: 'F16' | 'BF16'): Float32Array {
  const out = new Float32Array(words.length);
  // bfloat16 is a float32's upper half; Int32Array keeps `w << 16` a plain 32-bit integer.
  const bits = new Int32Array(out.buffer);
  const table = halfTable();
  const bf16 = dtype === 'BF16';
  for (let c0 = 0; c0 < cols; c0 += TILE) {
    const c1 = Math.min(cols, c0 + TILE);
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(rows, r0 + TILE);
      for (let c = c0; c < c1; c++) {
        let to = c * rows + r0;
        if (bf16) for (let from = r0 * cols + c, r = r0; r < r1; r++, from += cols) bits[to++] = words[from]! << 16;
        else for (let from = r0 * cols + c, r = r0; r < r1; r++, from += cols) out[to++] = table[words[from]!]!;
      }
    }
  }
  return out;
}
