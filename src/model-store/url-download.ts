// Downloads a model folder (Hugging Face layout) into the file store, checking as early as
// possible: config.json family first (before any gigabyte), then tokenizer, then the storage
// estimate, then the weights streamed straight to disk with progress. Any failure removes what
// was written, so an import either completes or leaves nothing behind.
import { parseConfig } from '../model/config';
import { CorruptModelFileError } from '../model/errors';
import type { ModelConfig } from '../model/types';
import {
  ModelDownloadCancelledError,
  ModelDownloadHttpError,
  ModelDownloadNetworkError,
  TruncatedDownloadError,
} from './errors';
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
} from './model-files';
import { parseModelUrl } from './model-url';
import { assertSpaceFor, mapQuotaError, type EstimateStorage } from './quota';
import { readSafetensorsSummary, type SafetensorsSummary } from './safetensors-header';

export interface DownloadProgress {
  fileName: string;
  /** Bytes received so far, all files together. */
  receivedBytes: number;
  /** All files together, once known (null while a size is still unknown). */
  totalBytes: number | null;
}

export interface UrlDownloadDeps {
  fetch: typeof fetch;
  files: ModelFileStore;
  estimate: EstimateStorage;
}

export interface UrlDownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadedModel {
  base: string;
  suggestedName: string;
  rawConfig: Record<string, unknown>;
  config: ModelConfig;
  /** File name -> bytes on disk. */
  files: Record<string, number>;
  weights: SafetensorsSummary;
}

const PROGRESS_INTERVAL_MS = 100;

/** One download session: the shared fetch, signal and byte counters. */
class Session {
  received = 0;
  private knownTotal = 0;
  private lastReport = 0;
  private totalIsKnown = true;
  readonly sizes: Record<string, number> = {};

  constructor(
    readonly base: string,
    readonly modelId: string,
    readonly deps: UrlDownloadDeps,
    readonly options: UrlDownloadOptions,
  ) {}

  /** GET one file; null for a 404 when the file is optional. */
  async get(fileName: string, optional = false): Promise<Response | null> {
    const url = this.base + fileName;
    let response: Response;
    try {
      response = await this.deps.fetch(url, { signal: this.options.signal ?? null, credentials: 'omit' });
    } catch (error) {
      throw this.options.signal?.aborted
        ? new ModelDownloadCancelledError()
        : new ModelDownloadNetworkError(url, error);
    }
    if (response.status === 404 && optional) return null;
    if (!response.ok) throw new ModelDownloadHttpError(url, response.status);
    return response;
  }

  /** Fetches, parses and stores a JSON file; null when optional and absent. */
  async json(fileName: string, optional = false): Promise<Record<string, unknown> | null> {
    const response = await this.get(fileName, optional);
    if (!response) return null;
    const text = await this.readText(response, fileName);
    const json = parseJsonFile(fileName, text);
    const bytes = new TextEncoder().encode(text);
    this.sizes[fileName] = await this.write(fileName, new Blob([bytes]).stream());
    this.addKnown(bytes.length);
    this.received += bytes.length;
    this.report(fileName);
    return json;
  }

  private async readText(response: Response, fileName: string): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw this.streamFailure(fileName, error, null);
    }
  }

  addKnown(bytes: number | null): void {
    if (bytes === null) this.totalIsKnown = false;
    else this.knownTotal += bytes;
  }

  /**
   * Progress at most every PROGRESS_INTERVAL_MS while a file streams (a chunk is ~64 KiB, so a
   * 1 GB file would otherwise re-render the UI ~16,000 times), and always when a file completes.
   */
  report(fileName: string, force = true): void {
    const now = Date.now();
    if (!force && now - this.lastReport < PROGRESS_INTERVAL_MS) return;
    this.lastReport = now;
    this.options.onProgress?.({
      fileName,
      receivedBytes: this.received,
      totalBytes: this.totalIsKnown ? this.knownTotal : null,
    });
  }

  /** Streams a weight file to disk, counting bytes and checking the length the server promised. */
  async streamWeights(fileName: string, response: Response, expected: number | null): Promise<void> {
    let fileReceived = 0;
    const counted = countingBytes(fileBody(fileName, response), (bytes) => {
      fileReceived += bytes;
      this.received += bytes;
      this.report(fileName, false);
    });
    try {
      this.sizes[fileName] = await this.write(fileName, counted);
    } catch (error) {
      throw this.streamFailure(fileName, error, expected === null ? null : { fileReceived, expected });
    }
    this.report(fileName);
    if (expected !== null && fileReceived !== expected)
      throw new TruncatedDownloadError(fileName, fileReceived, expected);
  }

  private streamFailure(
    fileName: string,
    error: unknown,
    sizes: { fileReceived: number; expected: number } | null,
  ): unknown {
    if (this.options.signal?.aborted) return new ModelDownloadCancelledError();
    const mapped = mapQuotaError(error);
    if (mapped !== error) return mapped;
    if (sizes && sizes.fileReceived < sizes.expected)
      return new TruncatedDownloadError(fileName, sizes.fileReceived, sizes.expected);
    return new ModelDownloadNetworkError(this.base + fileName, error);
  }

  private async write(fileName: string, stream: ReadableStream<Uint8Array>): Promise<number> {
    try {
      return await this.deps.files.write(this.modelId, fileName, stream);
    } catch (error) {
      throw mapQuotaError(error);
    }
  }
}

/** The body of a file response; a web page (an address to a viewer, not the raw file) or no body is refused. */
export function fileBody(fileName: string, response: Response): ReadableStream<Uint8Array> {
  if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
    throw new CorruptModelFileError(fileName, 'got a web page instead of the file (use a raw-file address such as .../resolve/main/)');
  }
  if (!response.body) throw new CorruptModelFileError(fileName, 'the server sent no body');
  return response.body;
}

/** The same bytes, reporting each chunk's size as it passes (progress and truncation checks). */
export function countingBytes(body: ReadableStream<Uint8Array>, onBytes: (bytes: number) => void): ReadableStream<Uint8Array> {
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, controller) => {
        onBytes(chunk.byteLength);
        controller.enqueue(chunk);
      },
    }),
  );
}

/** Content-Length when it is the real file size (not a compressed transfer size). */
export function declaredLength(response: Response): number | null {
  const encoding = response.headers.get('content-encoding');
  if (encoding && encoding !== 'identity') return null;
  const length = Number(response.headers.get('content-length'));
  return Number.isSafeInteger(length) && length > 0 ? length : null;
}

async function downloadWeights(session: Session): Promise<string[]> {
  const index = await session.json(SHARD_INDEX_FILE, true);
  const shards = index ? parseShardIndex(index) : null;
  const weightFiles = shards ? shards.shardFiles : [SINGLE_WEIGHTS_FILE];
  let totalChecked = false;
  if (shards?.totalBytes) {
    await assertSpaceFor(shards.totalBytes, session.deps.estimate);
    session.addKnown(shards.totalBytes);
    totalChecked = true;
  }
  for (const fileName of weightFiles) {
    const response = (await session.get(fileName))!;
    const expected = declaredLength(response);
    if (!totalChecked) {
      // Single file (or an index without total_size): estimate from this file's length.
      if (expected !== null) await assertSpaceFor(expected, session.deps.estimate);
      session.addKnown(expected);
      if (!shards) totalChecked = true;
    }
    await session.streamWeights(fileName, response, expected);
  }
  return weightFiles;
}

async function summariseWeights(
  files: ModelFileStore,
  modelId: string,
  weightFiles: string[],
): Promise<SafetensorsSummary> {
  const total: SafetensorsSummary = { parameterCount: 0, largestTensor: null };
  for (const fileName of weightFiles) {
    const summary = await readSafetensorsSummary(await files.read(modelId, fileName), fileName);
    total.parameterCount += summary.parameterCount;
    if (summary.largestTensor && summary.largestTensor.elements > (total.largestTensor?.elements ?? -1)) {
      total.largestTensor = summary.largestTensor;
    }
  }
  return total;
}

export async function downloadModelFromUrl(
  modelId: string,
  input: string,
  deps: UrlDownloadDeps,
  options: UrlDownloadOptions = {},
): Promise<DownloadedModel> {
  const { base, suggestedName } = parseModelUrl(input);
  const session = new Session(base, modelId, deps, options);
  try {
    const rawConfig = (await session.json(CONFIG_FILE))!;
    const config = parseConfig(rawConfig); // unsupported family: stop before any weight byte
    checkTokenizer((await session.json(TOKENIZER_FILE))!);
    for (const optional of OPTIONAL_FILES) await session.json(optional, true);
    const weightFiles = await downloadWeights(session);
    const weights = await summariseWeights(deps.files, modelId, weightFiles);
    return { base, suggestedName, rawConfig, config, files: session.sizes, weights };
  } catch (error) {
    await deps.files.removeModel(modelId).catch(() => undefined);
    throw error;
  }
}
