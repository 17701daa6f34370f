// Node only: reads a model directory into the file map loadModel takes. Not exported from the
// browser entry (src/model/index.ts) so extension bundles never pull in node:fs.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModelNotFoundError } from './errors';
import { loadModel, type LoadedModel, type LoadOptions } from './model';

/** The files a model directory may contain that the runtime reads. */
function isModelFile(name: string): boolean {
  return name.endsWith('.json') || name.endsWith('.safetensors');
}

export function readModelDirectory(dir: string): Map<string, Uint8Array> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ModelNotFoundError(dir, 'Pass a folder holding config.json and model.safetensors.');
  }
  const files = new Map<string, Uint8Array>();
  for (const name of readdirSync(dir)) {
    if (isModelFile(name)) files.set(name, readFileSync(join(dir, name)));
  }
  return files;
}

export async function loadModelFromDirectory(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  return loadModel(readModelDirectory(dir), options);
}
