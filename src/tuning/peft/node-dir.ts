// Node only (CLI, tests, bench): an adapter directory on disk. Kept out of the browser bundle.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdapterFormatError } from '../errors';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, type AdapterFiles } from './files';

export function writeAdapterDirectory(dir: string, files: AdapterFiles): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
}

export function readAdapterDirectory(dir: string): AdapterFiles {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new AdapterFormatError(`"${dir}" is not a directory; pass the folder holding ${ADAPTER_CONFIG_FILE}`);
  }
  const files: AdapterFiles = new Map();
  for (const name of [ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE]) {
    const path = join(dir, name);
    if (existsSync(path)) files.set(name, new Uint8Array(readFileSync(path)));
  }
  return files;
}
