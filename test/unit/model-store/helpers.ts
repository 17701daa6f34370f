import { freshDb } from '../storage/helpers';
import type { FolderReader } from '../../../src/model-store/bundled';
import { ModelStore } from '../../../src/model-store/model-store';
import type { EstimateStorage } from '../../../src/model-store/quota';
import { readSafetensors } from '../../../src/model/safetensors';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './model-server';
import { MemoryFileStore } from './memory-file-store';

export const plentyOfSpace: EstimateStorage = async () => ({ usage: 0, quota: 10 * 1024 ** 3 });

/** Reads a fixture folder as the bundled model (what the extension package would serve). */
export function fixtureFolderReader(
  fixture: string | null,
  hidden: string[] = [],
  corrupt?: string,
): FolderReader {
  return async (name) => {
    if (!fixture || hidden.includes(name)) return null;
    const path = join(FIXTURES, fixture, name);
    if (!existsSync(path)) return null;
    const bytes = readFileSync(path);
    return new Blob([name === corrupt ? bytes.subarray(0, bytes.length - 1) : bytes]);
  };
}

export async function makeStore(
  options: {
    bundled?: string | null;
    hideBundled?: string[];
    corruptBundled?: string;
    estimate?: EstimateStorage;
    files?: MemoryFileStore;
  } = {},
) {
  const db = await freshDb();
  const files = options.files ?? new MemoryFileStore();
  let counter = 0;
  const store = new ModelStore({
    db,
    files,
    bundled: fixtureFolderReader(options.bundled ?? null, options.hideBundled, options.corruptBundled),
    fetch: (input, init) => fetch(input, init),
    estimate: options.estimate ?? plentyOfSpace,
    newId: () => `model-${++counter}`,
    now: () => 1_700_000_000_000 + counter,
  });
  return { db, files, store };
}

/** Independent reference: parameters counted by the runtime's full safetensors reader. */
export function referenceParameterCount(fixture: string): number {
  let count = 0;
  for (const name of readdirSync(join(FIXTURES, fixture)).filter((n) => n.endsWith('.safetensors'))) {
    for (const tensor of readSafetensors(readFileSync(join(FIXTURES, fixture, name)), name).tensors.values())
      count += tensor.data.length;
  }
  return count;
}

export function fixtureFileSizes(fixture: string): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const name of readdirSync(join(FIXTURES, fixture)).filter((n) => n !== 'golden.json')) {
    sizes[name] = readFileSync(join(FIXTURES, fixture, name)).length;
  }
  return sizes;
}
