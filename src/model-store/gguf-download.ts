// Downloads one .gguf file (llama.cpp's single-file format) from an address the user gave, then
// imports it as a picked .gguf is imported: converted in memory to the Hugging Face files the store
// keeps (weights dequantised to float32: docs/interop.md), space checked, written. The download is
// held as a Blob (the browser keeps a large one on disk), never in the store; any failure, the
// user's cancel included, leaves nothing behind.
import { ggufToModelFiles } from '../interop/gguf/import-model';
import { parseConfig } from '../model/config';
import {
  ModelDownloadCancelledError,
  ModelDownloadHttpError,
  ModelDownloadNetworkError,
  TruncatedDownloadError,
} from './errors';
import { CONFIG_FILE, SINGLE_WEIGHTS_FILE, TOKENIZER_FILE, checkTokenizer, parseJsonFile } from './model-files';
import type { GgufUrl } from './model-url';
import { assertSpaceFor, mapQuotaError } from './quota';
import { readSafetensorsSummary } from './safetensors-header';
import { countingBytes, declaredLength, fileBody, type DownloadedModel, type UrlDownloadDeps, type UrlDownloadOptions } from './url-download';

const PROGRESS_INTERVAL_MS = 100;

/** The whole file as a Blob, with progress; HTTP, network, truncation and cancel as their own errors. */
async function fetchGguf(gguf: GgufUrl, deps: UrlDownloadDeps, options: UrlDownloadOptions): Promise<Blob> {
  const signal = options.signal;
  let response: Response;
  try {
    response = await deps.fetch(gguf.url, { signal: signal ?? null, credentials: 'omit' });
  } catch (error) {
    throw signal?.aborted ? new ModelDownloadCancelledError() : new ModelDownloadNetworkError(gguf.url, error);
  }
  if (!response.ok) throw new ModelDownloadHttpError(gguf.url, response.status);
  const body = fileBody(gguf.fileName, response);
  const expected = declaredLength(response);
  // The stored model is at least as large as the file (float32 from 16-, 8- or 4-bit weights):
  // a file that cannot fit is refused before its first byte.
  if (expected !== null) await assertSpaceFor(expected, deps.estimate);
  let received = 0;
  let lastReport = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
    lastReport = now;
    options.onProgress?.({ fileName: gguf.fileName, receivedBytes: received, totalBytes: expected });
  };
  const counted = countingBytes(body, (bytes) => {
    received += bytes;
    report(false);
  });
  let blob: Blob;
  try {
    blob = await new Response(counted).blob();
  } catch (error) {
    if (signal?.aborted) throw new ModelDownloadCancelledError();
    if (expected !== null && received < expected) throw new TruncatedDownloadError(gguf.fileName, received, expected);
    throw new ModelDownloadNetworkError(gguf.url, error);
  }
  report(true);
  if (expected !== null && received !== expected) throw new TruncatedDownloadError(gguf.fileName, received, expected);
  return blob;
}

export async function downloadGgufFromUrl(
  modelId: string,
  gguf: GgufUrl,
  deps: UrlDownloadDeps,
  options: UrlDownloadOptions = {},
): Promise<DownloadedModel> {
  try {
    const files = await ggufToModelFiles(await fetchGguf(gguf, deps, options), gguf.fileName);
    if (options.signal?.aborted) throw new ModelDownloadCancelledError();
    const text = (name: string) => new TextDecoder().decode(files.get(name));
    const rawConfig = parseJsonFile(CONFIG_FILE, text(CONFIG_FILE));
    const config = parseConfig(rawConfig);
    checkTokenizer(parseJsonFile(TOKENIZER_FILE, text(TOKENIZER_FILE)));
    await assertSpaceFor([...files.values()].reduce((sum, bytes) => sum + bytes.byteLength, 0), deps.estimate);
    const sizes: Record<string, number> = {};
    for (const [name, bytes] of files) {
      try {
        sizes[name] = await deps.files.write(modelId, name, new Blob([bytes as Uint8Array<ArrayBuffer>]).stream());
      } catch (error) {
        throw mapQuotaError(error);
      }
    }
    const weights = await readSafetensorsSummary(await deps.files.read(modelId, SINGLE_WEIGHTS_FILE), SINGLE_WEIGHTS_FILE);
    return { base: gguf.url, suggestedName: gguf.suggestedName, rawConfig, config, files: sizes, weights };
  } catch (error) {
    await deps.files.removeModel(modelId).catch(() => undefined);
    throw error;
  }
}
