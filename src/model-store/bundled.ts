// The default model shipped inside the extension (public/model/ -> /model/ in the build). It is
// read straight from the extension package, never copied into OPFS.
import { parseConfig } from '../model/config';
import type { ModelConfig } from '../model/types';
import {
  CONFIG_FILE,
  OPTIONAL_FILES,
  SHARD_INDEX_FILE,
  SINGLE_WEIGHTS_FILE,
  TOKENIZER_FILE,
  parseJsonFile,
  parseShardIndex,
} from './model-files';
import { readSafetensorsSummary, type SafetensorsSummary } from './safetensors-header';

export const BUNDLED_MODEL_ID = 'bundled';
export const BUNDLED_FOLDER = '/model/';

/** Reads one file of a model folder; null when it does not exist. */
export type FolderReader = (fileName: string) => Promise<Blob | null>;

export interface BundledModel {
  name: string;
  rawConfig: Record<string, unknown>;
  config: ModelConfig;
  files: Record<string, number>;
  weights: SafetensorsSummary;
}

/** Files of the extension package, via runtime.getURL; a missing file is a failed fetch. */
export function extensionFolderReader(folder = BUNDLED_FOLDER): FolderReader {
  const getUrl = (globalThis as { chrome?: { runtime?: { getURL?: (p: string) => string } } }).chrome?.runtime
    ?.getURL;
  return async (fileName) => {
    const url = getUrl
      ? getUrl(folder + fileName)
      : new URL(folder + fileName, globalThis.location.href).href;
    try {
      const response = await fetch(url);
      return response.ok ? await response.blob() : null;
    } catch {
      return null; // extension pages report a missing packaged file as a network error
    }
  };
}

/** Describes the bundled model, or null when this build ships none. */
export async function describeBundledModel(read: FolderReader): Promise<BundledModel | null> {
  const configBlob = await read(CONFIG_FILE);
  if (!configBlob) return null;
  const rawConfig = parseJsonFile(CONFIG_FILE, await configBlob.text());
  const files: Record<string, number> = { [CONFIG_FILE]: configBlob.size };
  const weights: SafetensorsSummary = { parameterCount: 0, largestTensor: null };
  const index = await read(SHARD_INDEX_FILE);
  const weightFiles = index
    ? parseShardIndex(parseJsonFile(SHARD_INDEX_FILE, await index.text())).shardFiles
    : [SINGLE_WEIGHTS_FILE];
  if (index) files[SHARD_INDEX_FILE] = index.size;
  for (const name of [TOKENIZER_FILE, ...OPTIONAL_FILES, ...weightFiles]) {
    const blob = await read(name);
    if (!blob && weightFiles.includes(name)) return null; // an incomplete package: no usable default
    if (!blob) continue;
    files[name] = blob.size;
    if (!weightFiles.includes(name)) continue;
    const summary = await readSafetensorsSummary(blob, name);
    weights.parameterCount += summary.parameterCount;
    if (summary.largestTensor && summary.largestTensor.elements > (weights.largestTensor?.elements ?? -1))
      weights.largestTensor = summary.largestTensor;
  }
  const name =
    typeof rawConfig._name_or_path === 'string' && rawConfig._name_or_path
      ? rawConfig._name_or_path
      : 'Attune default';
  return { name, rawConfig, config: parseConfig(rawConfig), files, weights };
}
