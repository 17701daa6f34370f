// Loading a model from bytes: config.json + safetensors (+ tokenizer files) -> LoadedModel.
// I/O-free on purpose: the model store (browser) and the Node helper (node-files.ts) both hand
// over a map of file name -> bytes.
import * as tf from '@tensorflow/tfjs';
import type { CompactBlockWeights } from './compact-weights';
import { parseConfig } from './config';
import { CorruptModelFileError, MissingModelFileError } from './errors';
import { architectureOf } from './families';
import { registerResidentTranspose } from './layers';
import { readCheckpointRaw } from './safetensors';
import { loadTokenizer, type ModelTokenizer } from './tokenizer';
import type { ModelConfig, WeightMap } from './types';
import { buildModelWeights, type BuildOptions } from './weights';

/** File name -> contents, e.g. {'config.json': bytes, 'model.safetensors': bytes, ...}. */
export type ModelFiles = ReadonlyMap<string, Uint8Array | ArrayBuffer> | Readonly<Record<string, Uint8Array | ArrayBuffer>>;

export interface LoadedModel {
  config: ModelConfig;
  /** Base weights (plain tensors), HF names; linear weights are [in, out] (see types.ts). */
  weights: WeightMap;
  /** Present when tokenizer.json was provided. */
  tokenizer: ModelTokenizer | null;
  /** For tied models: the embedding table transposed to [D, V] once, for a fast head matMul. */
  tiedHead: { source: tf.Tensor; transposed: tf.Tensor2D } | null;
  /**
   * Block linear weights held compact in host memory instead of in `weights` (compact-model.ts);
   * the forward pass widens them one block at a time. Absent: every weight is in `weights`.
   */
  compact?: CompactBlockWeights | null;
  /** Frees every tensor the model holds. */
  dispose(): void;
}

/**
 * `compact`: keep the block linear weights as 16-bit words in host memory (compact-weights.ts),
 * read straight from an F16/BF16 file; the forward pass widens one block at a time.
 */
export type LoadOptions = BuildOptions;

export async function loadModel(files: ModelFiles, options: LoadOptions = {}): Promise<LoadedModel> {
  const bytes = normaliseFiles(files);
  const configBytes = bytes.get('config.json');
  if (!configBytes) throw new MissingModelFileError('config.json');
  const config = withGenerationStopIds(parseConfig(new TextDecoder().decode(configBytes)), bytes.get('generation_config.json'));
  const tokenizer = bytes.has('tokenizer.json') ? loadTokenizer(bytes, config) : null;
  // The tensors stay views into the files' bytes until each is placed: no float32 copy of the
  // whole checkpoint is made (a float32 file's aligned tensors are uploaded from the file itself).
  const { weights, compact, tiedHead } = buildModelWeights(config, readCheckpointRaw(bytes), options);
  const model = assembleModel(config, weights, tokenizer, tiedHead);
  model.compact = compact;
  return model;
}

/** Wraps an existing weight map (tests, tuning methods that build a model from tensors). */
export function assembleModel(
  config: ModelConfig,
  weights: WeightMap,
  tokenizer: ModelTokenizer | null = null,
  /** A tied model's head: the table's [D, V] transpose when the caller already made it (the model owns it). */
  transposedHead: tf.Tensor2D | null = null,
): LoadedModel {
  let tiedHead: LoadedModel['tiedHead'] = null;
  if (config.tieWordEmbeddings) {
    const source = weights.get(architectureOf(config).embeddingName)!;
    tiedHead = { source, transposed: transposedHead ?? (tf.keep(tf.transpose(source)) as tf.Tensor2D) };
    // The head's input gradient multiplies by the table itself instead of transposing the head back.
    registerResidentTranspose(tiedHead.transposed, source as tf.Tensor2D);
  } else transposedHead?.dispose();
  return {
    config,
    weights,
    tokenizer,
    tiedHead,
    dispose() {
      for (const tensor of weights.values()) tensor.dispose();
      tiedHead?.transposed.dispose();
    },
  };
}

/** generation_config.json may name more stop ids than config.json (e.g. an end-of-turn token). */
function withGenerationStopIds(config: ModelConfig, bytes: Uint8Array | undefined): ModelConfig {
  if (!bytes) return config;
  let raw: { eos_token_id?: unknown };
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes)) as { eos_token_id?: unknown };
  } catch (e) {
    throw new CorruptModelFileError('generation_config.json', `not valid JSON (${(e as Error).message})`);
  }
  const ids = (Array.isArray(raw.eos_token_id) ? raw.eos_token_id : [raw.eos_token_id]).filter(
    (id): id is number => Number.isInteger(id) && (id as number) >= 0 && (id as number) < config.vocabSize,
  );
  return { ...config, eosTokenIds: [...new Set([...config.eosTokenIds, ...ids])] };
}

function normaliseFiles(files: ModelFiles): Map<string, Uint8Array> {
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files);
  return new Map(entries.map(([name, data]) => [name, data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer)]));
}

/** Number of parameters, counting a tied head once (and compact weights). */
export function parameterCount(model: LoadedModel): number {
  let total = model.compact?.parameterCount ?? 0;
  for (const tensor of model.weights.values()) total += tensor.size;
  return total;
}
