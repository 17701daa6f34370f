// A Llama- or Qwen2-family model (weights in Hugging Face names and layout) -> a GGUF file that
// llama.cpp runs, laid out as convert_hf_to_gguf.py writes it: general.* and <arch>.* hyper-
// parameters, the tokenizer and chat template (tokenizer-metadata.ts), 1-D tensors (norms,
// biases) as F32, matrices as F16 or Q8_0 (a matrix whose rows are not a multiple of 32 values
// stays F16, as the converter falls back), Llama q/k rows permuted for llama.cpp's rope.
import type { HostTensor } from '../../model/safetensors';
import type { ModelConfig } from '../../model/types';
import { FILE_TYPE, GgmlType } from './constants';
import { encode } from './encode';
import { GgufExportError } from './errors';
import { ggufName, permutedHeads, permuteRows } from './tensor-names';
import { tokenizerToGguf } from './tokenizer-metadata';
import { bool, f32, str, u32, writeGguf, type GgufTensor, type MetadataValue } from './writer';

export type GgufWeightType = 'f32' | 'f16' | 'q8_0';

export interface GgufModelSource {
  /** general.name. */
  name: string;
  config: ModelConfig;
  /** Hugging Face names and layout ([out, in] for linear weights), float32. */
  tensors: ReadonlyMap<string, HostTensor>;
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

/** llama.cpp's architecture name for a config, or an export error for a family it is not written for. */
export function ggufArchitecture(config: ModelConfig): 'llama' | 'qwen2' {
  if (config.family !== 'llama') throw new GgufExportError(`the ${config.modelType} family is not exported (Llama and Qwen2 are)`);
  if (config.modelType === 'qwen2') return 'qwen2';
  if (config.modelType === 'llama' || config.modelType === 'mistral') {
    if (config.attentionBias) throw new GgufExportError('a Llama model with attention biases has no llama.cpp layout');
    return 'llama';
  }
  throw new GgufExportError(`model_type "${config.modelType}" is not exported (llama and qwen2 are)`);
}

/** general.* and <arch>.* hyperparameters. */
export function modelMetadata(arch: string, config: ModelConfig, name: string): Map<string, MetadataValue> {
  const m = new Map<string, MetadataValue>([
    ['general.architecture', str(arch)],
    ['general.type', str('model')],
    ['general.name', str(name)],
    [`${arch}.vocab_size`, u32(config.vocabSize)],
    [`${arch}.context_length`, u32(config.maxPositions)],
    [`${arch}.embedding_length`, u32(config.hiddenSize)],
    [`${arch}.block_count`, u32(config.numLayers)],
    [`${arch}.feed_forward_length`, u32(config.intermediateSize)],
    [`${arch}.rope.dimension_count`, u32(config.headDim)],
    [`${arch}.attention.head_count`, u32(config.numHeads)],
    [`${arch}.attention.head_count_kv`, u32(config.numKvHeads)],
    [`${arch}.rope.freq_base`, f32(config.ropeTheta)],
    [`${arch}.attention.layer_norm_rms_epsilon`, f32(config.normEps)],
  ]);
  if (config.headDim * config.numHeads !== config.hiddenSize) {
    m.set(`${arch}.attention.key_length`, u32(config.headDim));
    m.set(`${arch}.attention.value_length`, u32(config.headDim));
  }
  return m;
}

/** Tensor order: embeddings, each block in Hugging Face module order, final norm, head. */
function orderKey(ggufTensorName: string): [number, number, string] {
  if (ggufTensorName.startsWith('token_embd')) return [-1, 0, ggufTensorName];
  const block = /^blk\.(\d+)\./.exec(ggufTensorName);
  if (block) return [Number(block[1]), 0, ggufTensorName];
  return [Number.MAX_SAFE_INTEGER, ggufTensorName.startsWith('output_norm') ? 0 : 1, ggufTensorName];
}

const BLOCK_ORDER = ['attn_norm', 'attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_norm', 'ffn_gate', 'ffn_up', 'ffn_down'];
function compareNames(a: string, b: string): number {
  const [la, ga, na] = orderKey(a);
  const [lb, gb, nb] = orderKey(b);
  if (la !== lb) return la - lb;
  if (ga !== gb) return ga - gb;
  const part = (n: string) => BLOCK_ORDER.indexOf(n.split('.')[2] ?? '') * 2 + (n.endsWith('.bias') ? 1 : 0);
  return part(na) - part(nb);
}

export function matrixType(type: GgufWeightType, shape: readonly number[]): GgmlType {
  if (shape.length < 2 || type === 'f32') return GgmlType.F32;
  if (type === 'q8_0' && shape[shape.length - 1]! % 32 === 0) return GgmlType.Q8_0;
  return GgmlType.F16;
}

/** The GGUF file, as parts to write or wrap in a Blob. */
export function modelToGguf(source: GgufModelSource, type: GgufWeightType): Uint8Array[] {
  const { config } = source;
  const arch = ggufArchitecture(config);
  const metadata = modelMetadata(arch, config, source.name);
  metadata.set('general.file_type', u32(type === 'f32' ? FILE_TYPE.ALL_F32 : type === 'f16' ? FILE_TYPE.MOSTLY_F16 : FILE_TYPE.MOSTLY_Q8_0));
  metadata.set('general.quantization_version', u32(2));
  for (const [key, value] of tokenizerToGguf(source.tokenizerJson, source.tokenizerConfig, config.vocabSize)) metadata.set(key, value);
  if (!metadata.has('tokenizer.ggml.bos_token_id') && config.bosTokenId !== null) metadata.set('tokenizer.ggml.bos_token_id', u32(config.bosTokenId));
  metadata.set('tokenizer.ggml.add_space_prefix', bool(false));

  const tensors: GgufTensor[] = [];
  for (const [name, tensor] of source.tensors) {
    // A tied head is the embedding table: llama.cpp uses token_embd when output.weight is absent.
    if (name === 'lm_head.weight' && config.tieWordEmbeddings) continue;
    const target = ggufName(name);
    if (!target) throw new GgufExportError(`tensor "${name}" has no place in a ${arch} GGUF`);
    const heads = permutedHeads(arch, name, { q: config.numHeads, kv: config.numKvHeads });
    const rows = tensor.shape[0]!;
    const cols = tensor.shape.length > 1 ? tensor.shape[1]! : 1;
    const data = heads === null ? tensor.data : permuteRows(tensor.data, rows, cols, heads);
    const ggmlType = matrixType(type, tensor.shape);
    tensors.push({ name: target, shape: tensor.shape, type: ggmlType, data: encode(data, ggmlType as GgmlType.F32 | GgmlType.F16 | GgmlType.Q8_0) });
  }
  tensors.sort((a, b) => compareNames(a.name, b.name));
  return writeGguf(metadata, tensors);
}
