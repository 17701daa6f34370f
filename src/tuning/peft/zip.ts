// One-file download of an adapter directory (the browser cannot save a folder): a zip holding
// adapter_config.json and adapter_model.safetensors at its root, as `unzip` + PEFT expect.
import { unzipSync, zipSync } from 'fflate';
import { AdapterFormatError } from '../errors';
import type { AdapterFiles } from './layout';

export function zipAdapter(files: AdapterFiles): Uint8Array {
  // Weights are float noise that barely compress; store them (level 0) to keep export instant.
  return zipSync(Object.fromEntries([...files].map(([name, bytes]) => [name, [bytes, { level: name.endsWith('.json') ? 6 : 0 }]])));
}

/** @param name how messages call the file (its path, when it has one). */
export function unzipAdapter(zip: Uint8Array, name = 'the file'): AdapterFiles {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (error) {
    throw new AdapterFormatError(`${name} is not a readable zip (${(error as Error).message})`);
  }
  // Accept a zip of the folder itself (name/adapter_config.json) as well as of its contents.
  const files: AdapterFiles = new Map();
  for (const [path, bytes] of Object.entries(entries)) {
    const name = path.split('/').pop() ?? path;
    if (name === 'adapter_config.json' || name === 'adapter_model.safetensors') files.set(name, bytes);
  }
  return files;
}
