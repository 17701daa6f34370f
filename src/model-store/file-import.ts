// Imports a model from files the user picked (several files, or a whole folder through the
// directory picker). Everything is checked from the picked files first, before a byte is copied.
import { ggufToModelFiles } from '../interop/gguf/import-model';
import { parseConfig } from '../model/config';
import { MissingModelFileError } from '../model/errors';
import type { ModelConfig } from '../model/types';
import type { ModelFileStore } from './file-store';
import {
  CONFIG_FILE,
  OPTIONAL_FILES,
  SHARD_INDEX_FILE,
  SINGLE_WEIGHTS_FILE,
  TOKENIZER_FILE,
  checkTokenizer,
  parseJsonFile,
  parseShardIndex,
  requireWeightsPresent,
} from './model-files';
import { assertSpaceFor, mapQuotaError, type EstimateStorage } from './quota';
import { readSafetensorsSummary, type SafetensorsSummary } from './safetensors-header';
import type { DownloadProgress } from './url-download';

/** Progress while a copy streams: at most this often (a chunk is ~64 KiB), and at each file's end. */
const PROGRESS_INTERVAL_MS = 100;

/** A picked file: File has both fields (webkitRelativePath is '' without the folder picker). */
export interface PickedFile extends Blob {
  name: string;
  webkitRelativePath?: string;
}

export interface ImportedFiles {
  suggestedName: string;
  rawConfig: Record<string, unknown>;
  config: ModelConfig;
  files: Record<string, number>;
  weights: SafetensorsSummary;
}

function relativePath(file: PickedFile): string {
  return file.webkitRelativePath || file.name;
}

/** By file name; when a folder holds the same name twice, the least nested copy wins. */
function byFileName(picked: readonly PickedFile[]): Map<string, PickedFile> {
  const depth = (file: PickedFile) => relativePath(file).split('/').length;
  const map = new Map<string, PickedFile>();
  for (const file of picked) {
    const existing = map.get(file.name);
    if (!existing || depth(file) < depth(existing)) map.set(file.name, file);
  }
  return map;
}

function need(files: Map<string, PickedFile>, name: string, hint: string): PickedFile {
  const file = files.get(name);
  if (!file) throw new MissingModelFileError(name, hint);
  return file;
}

async function weightFileNames(files: Map<string, PickedFile>): Promise<string[]> {
  if (requireWeightsPresent(new Set(files.keys())) === 'single') return [SINGLE_WEIGHTS_FILE];
  const index = parseShardIndex(parseJsonFile(SHARD_INDEX_FILE, await files.get(SHARD_INDEX_FILE)!.text()));
  for (const shard of index.shardFiles)
    need(files, shard, `It is listed in ${SHARD_INDEX_FILE}; pick all shards.`);
  return [SHARD_INDEX_FILE, ...index.shardFiles];
}

function folderName(picked: readonly PickedFile[]): string | null {
  const path = picked.map(relativePath).find((p) => p.includes('/'));
  return path ? path.split('/')[0]! : null;
}

/**
 * A picked .gguf (llama.cpp's single-file format) becomes the Hugging Face files the store keeps,
 * converted in memory before anything is written (dequantised to float32: see docs/interop.md).
 */
async function expandGguf(picked: readonly PickedFile[]): Promise<{ picked: readonly PickedFile[]; name: string | null }> {
  const ggufs = picked.filter((file) => file.name.toLowerCase().endsWith('.gguf'));
  if (ggufs.length === 0 || picked.some((file) => file.name === CONFIG_FILE)) return { picked, name: null };
  const source = ggufs[0]!;
  const files = await ggufToModelFiles(source, source.name);
  const asPicked = [...files].map(([name, bytes]) => Object.assign(new Blob([bytes as Uint8Array<ArrayBuffer>]), { name }));
  return { picked: asPicked, name: source.name.replace(/\.gguf$/i, '') };
}

export interface FileImportOptions {
  /** Bytes copied into the store so far, all files together (the total is known from the start). */
  onProgress?: (progress: DownloadProgress) => void;
  /** Time source for throttling progress (tests). */
  now?: () => number;
}

export async function importModelFromFiles(
  modelId: string,
  pickedFiles: readonly PickedFile[],
  deps: { files: ModelFileStore; estimate: EstimateStorage },
  options: FileImportOptions = {},
): Promise<ImportedFiles> {
  const { picked, name: ggufName } = await expandGguf(pickedFiles);
  const files = byFileName(picked);
  const rawConfig = parseJsonFile(
    CONFIG_FILE,
    await need(files, CONFIG_FILE, 'Pick the whole model folder.').text(),
  );
  const config = parseConfig(rawConfig);
  checkTokenizer(
    parseJsonFile(TOKENIZER_FILE, await need(files, TOKENIZER_FILE, 'Pick the whole model folder.').text()),
  );
  const weightFiles = await weightFileNames(files);
  const weights: SafetensorsSummary = { parameterCount: 0, largestTensor: null };
  for (const name of weightFiles.filter((n) => n !== SHARD_INDEX_FILE)) {
    const summary = await readSafetensorsSummary(files.get(name)!, name);
    weights.parameterCount += summary.parameterCount;
    if (summary.largestTensor && summary.largestTensor.elements > (weights.largestTensor?.elements ?? -1))
      weights.largestTensor = summary.largestTensor;
  }
  const toCopy = [CONFIG_FILE, TOKENIZER_FILE, ...OPTIONAL_FILES.filter((n) => files.has(n)), ...weightFiles];
  const totalBytes = toCopy.reduce((sum, name) => sum + files.get(name)!.size, 0);
  await assertSpaceFor(totalBytes, deps.estimate);
  const sizes: Record<string, number> = {};
  const progress = progressReporter(totalBytes, options);
  try {
    for (const name of toCopy) {
      sizes[name] = await deps.files.write(modelId, name, progress.counted(name, files.get(name)!.stream()));
      progress.report(name, true);
    }
  } catch (error) {
    await deps.files.removeModel(modelId).catch(() => undefined);
    throw mapQuotaError(error);
  }
  return { suggestedName: ggufName ?? folderName(picked) ?? config.modelType, rawConfig, config, files: sizes, weights };
}

/**
 * Counts the bytes streaming into the store and reports them, throttled: copying a few hundred
 * megabytes into OPFS takes seconds, and a 64 KiB chunk per re-render would flood the page.
 */
function progressReporter(totalBytes: number, options: FileImportOptions) {
  const now = options.now ?? Date.now;
  let copied = 0;
  let last = now();
  const report = (fileName: string, force: boolean) => {
    if (!options.onProgress || (!force && now() - last < PROGRESS_INTERVAL_MS)) return;
    last = now();
    options.onProgress({ fileName, receivedBytes: copied, totalBytes });
  };
  const counted = (fileName: string, stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> =>
    options.onProgress
      ? stream.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform: (chunk, controller) => {
              copied += chunk.byteLength;
              report(fileName, false);
              controller.enqueue(chunk);
            },
          }),
        )
      : stream;
  return { counted, report };
}
