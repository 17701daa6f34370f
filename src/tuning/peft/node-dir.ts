// Node only (CLI, tests, bench): an adapter directory on disk. Kept out of the browser bundle.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdapterFormatError } from '../errors';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, type AdapterFiles } from './layout';
import { unzipAdapter } from './zip';

/**
 * Writes every file under a temporary name first and renames them only once all are complete, so
 * a full disk or a crash never leaves a half-written adapter under the real names (a folder this
 * call created is removed again on failure).
 */
export function writeAdapterDirectory(dir: string, files: AdapterFiles): void {
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const staged: [string, string][] = [];
  try {
    for (const [name, bytes] of files) {
      const temporary = join(dir, `.${name}.${process.pid}.partial`);
      staged.push([temporary, join(dir, name)]);
      writeFileSync(temporary, bytes);
    }
    for (const [temporary, final] of staged) renameSync(temporary, final);
  } catch (error) {
    for (const [temporary] of staged) rmSync(temporary, { force: true });
    if (created) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** An adapter folder, or the .zip Attune exports (the browser cannot save a folder). */
export function readAdapterPath(path: string): AdapterFiles {
  if (existsSync(path) && statSync(path).isFile()) return unzipAdapter(new Uint8Array(readFileSync(path)), path);
  if (!existsSync(path)) {
    throw new AdapterFormatError(`"${path}" is neither a folder nor a .zip file; pass the adapter folder (${ADAPTER_CONFIG_FILE} + ${ADAPTER_WEIGHTS_FILE}) or its .zip.`);
  }
  return readAdapterDirectory(path);
}

export function readAdapterDirectory(dir: string): AdapterFiles {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new AdapterFormatError(`"${dir}" is not a directory; pass the folder holding ${ADAPTER_CONFIG_FILE}.`);
  }
  const files: AdapterFiles = new Map();
  for (const name of [ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE]) {
    const path = join(dir, name);
    if (existsSync(path)) files.set(name, new Uint8Array(readFileSync(path)));
  }
  return files;
}
