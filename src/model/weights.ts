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
import { filledFloat32Tensor } from './filled-tensor';
import { halfWordsOf, nonFiniteError, rawHalfWords, rawToFloat32, type HostTensor, type RawTensor } from './safetensors';
import type { ModelConfig, WeightMap } from './types';
import { firstNonFiniteWord, transposeInto, widenInto, widenTransposedInto } from './widen';

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
      tiedHead = placedTensor(name, table, true) as tf.Tensor2D;
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
  // Read only here (a transpose makes its own array; add rounds to half): a view into the file.
  const data = 'data' in tensor ? tensor.data : rawToFloat32(spec.name, tensor, false);
  store.add(layer, spec.name, spec.layout === 'linear-out-in' ? transposeHost(data, rows, cols) : data, shape);
}

function toDeviceTensor(spec: TensorSpec, tensor: SourceTensor): tf.Tensor {
  return placedTensor(spec.name, tensor, spec.layout === 'linear-out-in');
}

/**
 * A checkpoint tensor as a float32 device tensor ([cols, rows] when `transpose`), its values
 * written in place (on wasm: into the heap, no JavaScript copy). 16-bit words are widened, and
 * checked for NaN/infinity, in that same pass; float32 values are checked where they lie (a view
 * into the file when aligned) before they are written.
 */
function placedTensor(name: string, tensor: SourceTensor, transpose: boolean): tf.Tensor {
  const [rows, cols] = tensor.shape as [number, number];
  const shape = transpose ? [cols, rows] : tensor.shape;
  if ('data' in tensor || tensor.dtype === 'F32') {
    const data = 'data' in tensor ? tensor.data : rawToFloat32(name, tensor, false);
    return filledFloat32Tensor(shape, (out) => (transpose ? transposeInto(data, rows, cols, out) : out.set(data)));
  }
  const { dtype, fileName } = tensor;
  const words = halfWordsOf(tensor);
  return filledFloat32Tensor(shape, (out) => {
    const finite = transpose ? widenTransposedInto(words, rows, cols, dtype, out) : widenInto(words, dtype, out);
    if (!finite) throw nonFiniteError(name, fileName, firstNonFiniteWord(words, dtype));
  });
}

/** [rows, cols] -> [cols, rows] on the host, before upload; tiled so neither side strides far. */
export function transposeHost<T extends Float32Array | Uint16Array>(data: T, rows: number, cols: number): T {
  const out = new (data.constructor as { new (length: number): T })(data.length);
  transposeInto(data, rows, cols, out);
  return out;
}
