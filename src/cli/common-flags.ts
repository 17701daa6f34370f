// Flags several commands share, and loading the model/backend they name.
import { existsSync, openAsBlob } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlagSpecs, FlagValues } from './args';
import { UsageError } from './args';
import type { LoadedModel } from '../model';
import { readModelDirectoryAsync } from '../model/node-files';
import { loadModel } from '../model/model';
import { ggufToModelFiles } from '../interop/gguf/import-model';
import { ModelNotFoundError } from '../model';
import { startNodeBackend, type NodeBackend } from './node-backend';

export const MODEL_FLAGS: FlagSpecs = {
  model: { type: 'string', required: true, description: 'model folder (config.json, *.safetensors, tokenizer.json), a .gguf file (llama/qwen2) or "default" (public/model/)' },
  backend: { type: 'string', description: 'cpu | wasm | webgpu (default wasm)' },
};

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_MODEL_DIR = join(REPO_ROOT, 'public', 'model');

export function resolveModelDir(value: string): string {
  if (value !== 'default') return resolve(value);
  if (!existsSync(join(DEFAULT_MODEL_DIR, 'config.json'))) {
    throw new ModelNotFoundError(DEFAULT_MODEL_DIR, 'The default model is not built yet; pass --model <folder>.');
  }
  return DEFAULT_MODEL_DIR;
}

export function backendFlag(flags: FlagValues): NodeBackend {
  const value = (flags.backend as string | undefined) ?? 'wasm';
  if (value !== 'cpu' && value !== 'wasm' && value !== 'webgpu') throw new UsageError(`--backend must be cpu, wasm or webgpu, got "${value}"`);
  return value;
}

/** Starts the backend and loads the model the flags name. */
export async function loadFromFlags(flags: FlagValues, io: { err: (t: string) => void }): Promise<LoadedModel> {
  const value = flags.model as string;
  const path = value.endsWith('.gguf') ? resolve(value) : resolveModelDir(value);
  if (value.endsWith('.gguf') && !existsSync(path)) throw new ModelNotFoundError(path, 'Pass an existing .gguf file.');
  const requested = backendFlag(flags);
  if (value.endsWith('.gguf')) {
    const backend = await startNodeBackend(requested);
    if (backend.note) io.err(backend.note);
    return loadModel(await ggufToModelFiles(await openAsBlob(path), basename(path)));
  }
  // The folder is read off the main thread while the backend starts.
  const [backend, files] = await Promise.all([startNodeBackend(requested), readModelDirectoryAsync(path)]);
  if (backend.note) io.err(backend.note);
  return loadModel(files);
}
