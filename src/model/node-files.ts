// Node only: reads a model directory into the file map loadModel takes. Not exported from the
// browser entry (src/model/index.ts) so extension bundles never pull in node:fs.
// tfjs is imported only when a model is built (loadModelFromDirectory): a caller can start
// reading the files before tfjs and its backend are loaded, and both proceed at once.
import { closeSync, existsSync, fstatSync, openSync, read, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CorruptModelFileError, ModelNotFoundError } from './errors';
import type { LoadedModel, LoadOptions } from './model';

/** The files a model directory may contain that the runtime reads. */
function isModelFile(name: string): boolean {
  return name.endsWith('.json') || name.endsWith('.safetensors');
}

function modelFileNames(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ModelNotFoundError(dir, 'Pass a folder holding config.json and model.safetensors.');
  }
  return readdirSync(dir).filter(isModelFile);
}

export function readModelDirectory(dir: string): Map<string, Uint8Array> {
  return new Map(modelFileNames(dir).map((name) => [name, readFileSync(join(dir, name))]));
}

/**
 * As readModelDirectory, off the main thread: each file is opened here and read by as few read
 * calls as the OS allows, dispatched before this returns (fs.readFile would need the event loop
 * once per 512 KiB), so the read runs while the caller starts its backend (importing tfjs,
 * compiling wasm) on the main thread.
 */
export function readModelDirectoryAsync(dir: string): Promise<Map<string, Uint8Array>> {
  let names: string[];
  try {
    names = modelFileNames(dir);
  } catch (error) {
    return Promise.reject(error);
  }
  const reads = names.map((name) => readWhole(join(dir, name)));
  return Promise.all(reads).then((contents) => new Map(names.map((name, i) => [name, contents[i]!])));
}

function readWhole(path: string): Promise<Uint8Array> {
  let fd: number;
  let size: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return Promise.reject(error);
  }
  try {
    size = fstatSync(fd).size;
  } catch (error) {
    closeSync(fd);
    return Promise.reject(error);
  }
  // Not zero-filled: every byte is overwritten by the reads below (a file that shrank is refused).
  const bytes = Buffer.allocUnsafe(size);
  return new Promise((resolve, reject) => {
    const readFrom = (at: number): void => {
      if (at >= size) {
        closeSync(fd);
        resolve(bytes);
        return;
      }
      // One call reads the rest (Linux returns up to ~2 GiB per read; fs.read takes at most 2 GiB - 1).
      read(fd, bytes, at, Math.min(size - at, 2 ** 30), at, (error, count) => {
        if (error || count === 0) {
          closeSync(fd);
          reject(error ?? new CorruptModelFileError(basename(path), `it ended at byte ${at} while being read (${size} bytes when opened)`));
        } else readFrom(at + count);
      });
    };
    readFrom(0);
  });
}

export async function loadModelFromDirectory(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const files = readModelDirectoryAsync(dir);
  const { loadModel } = await import('./model');
  return loadModel(await files, options);
}
