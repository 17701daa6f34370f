// Which files make a model folder (Hugging Face layout) and how to read the small JSON ones.
import { CorruptModelFileError, MissingModelFileError } from '../model/errors';
import { SHARD_INDEX_FILE } from '../model/safetensors';

export const CONFIG_FILE = 'config.json';
export const SINGLE_WEIGHTS_FILE = 'model.safetensors';
export { SHARD_INDEX_FILE };
export const TOKENIZER_FILE = 'tokenizer.json';
/** Fetched when present; a model works without them. */
export const OPTIONAL_FILES = ['tokenizer_config.json', 'generation_config.json'] as const;

/** Parses a JSON object file, with a message that says which file and why. */
export function parseJsonFile(fileName: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const start = text.trimStart().slice(0, 15).toLowerCase();
    const looksLikeHtml = start.startsWith('<!doctype') || start.startsWith('<html');
    throw new CorruptModelFileError(
      fileName,
      looksLikeHtml
        ? 'got a web page instead of the file (use a raw-file address such as .../resolve/main/)'
        : 'not valid JSON',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CorruptModelFileError(fileName, 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

/** tokenizer.json must at least be a Hugging Face tokenizers file (it has a `model`). */
export function checkTokenizer(json: Record<string, unknown>): void {
  if (typeof json.model !== 'object' || json.model === null) {
    throw new CorruptModelFileError(
      TOKENIZER_FILE,
      'no "model" section; this is not a Hugging Face tokenizers file',
    );
  }
}

export interface ShardIndex {
  shardFiles: string[];
  /** metadata.total_size: bytes of all shards, when the index says. */
  totalBytes: number | null;
}

/** Shard names from model.safetensors.index.json (`weight_map` values), first-seen order. */
export function parseShardIndex(json: Record<string, unknown>): ShardIndex {
  const weightMap = json.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null) {
    throw new CorruptModelFileError(SHARD_INDEX_FILE, 'no "weight_map" object');
  }
  const shardFiles = [...new Set(Object.values(weightMap as Record<string, unknown>))];
  for (const shard of shardFiles) {
    if (typeof shard !== 'string' || !isPlainFileName(shard)) {
      throw new CorruptModelFileError(
        SHARD_INDEX_FILE,
        `shard name ${JSON.stringify(shard)} is not a plain file name`,
      );
    }
  }
  const total = (json.metadata as { total_size?: unknown } | undefined)?.total_size;
  return {
    shardFiles: shardFiles as string[],
    totalBytes: typeof total === 'number' && total > 0 ? total : null,
  };
}

/** No folders, no dot-dot: file names become OPFS entries and URL path segments. */
export function isPlainFileName(name: string): boolean {
  return name.length > 0 && name.length < 256 && !/[/\\]/.test(name) && name !== '.' && name !== '..';
}

/** The weight files a folder needs, given which names it holds (sharded or single-file). */
export function requireWeightsPresent(names: ReadonlySet<string>): 'single' | 'sharded' {
  if (names.has(SHARD_INDEX_FILE)) return 'sharded';
  if (names.has(SINGLE_WEIGHTS_FILE)) return 'single';
  throw new MissingModelFileError(
    SINGLE_WEIGHTS_FILE,
    `Add ${SINGLE_WEIGHTS_FILE} (or ${SHARD_INDEX_FILE} with its shards).`,
  );
}
