// Model files in the Origin Private File System: one folder per model under /models/. OPFS is
// made for large binary files (streamed writes, lazy File reads, no structured-clone copies),
// unlike IndexedDB values or Cache API responses; see docs/model-store.md.
import { MissingModelFileError } from '../model/errors';
import type { ModelFileStore } from './file-store';
import { isPlainFileName } from './model-files';

const ROOT_FOLDER = 'models';

function assertFileName(name: string): void {
  if (!isPlainFileName(name)) throw new TypeError(`"${name}" is not a plain file name`);
}

export class OpfsModelFileStore implements ModelFileStore {
  private async modelsFolder(): Promise<FileSystemDirectoryHandle> {
    const root = await navigator.storage.getDirectory();
    return root.getDirectoryHandle(ROOT_FOLDER, { create: true });
  }

  private async modelFolder(modelId: string, create: boolean): Promise<FileSystemDirectoryHandle> {
    assertFileName(modelId);
    return (await this.modelsFolder()).getDirectoryHandle(modelId, { create });
  }

  async write(modelId: string, fileName: string, data: ReadableStream<Uint8Array>): Promise<number> {
    assertFileName(fileName);
    const handle = await (await this.modelFolder(modelId, true)).getFileHandle(fileName, { create: true });
    // createWritable writes to a swap file that replaces the real one only on close, so an
    // aborted pipe (error, cancel, quota) leaves no half-written file.
    const writable = await handle.createWritable();
    await data.pipeTo(writable);
    return (await handle.getFile()).size;
  }

  async read(modelId: string, fileName: string): Promise<Blob> {
    assertFileName(fileName);
    try {
      const folder = await this.modelFolder(modelId, false);
      return await (await folder.getFileHandle(fileName)).getFile();
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFoundError') throw new MissingModelFileError(fileName);
      throw error;
    }
  }

  async removeModel(modelId: string): Promise<void> {
    assertFileName(modelId);
    try {
      await (await this.modelsFolder()).removeEntry(modelId, { recursive: true });
    } catch (error) {
      if ((error as { name?: string }).name !== 'NotFoundError') throw error;
    }
  }

  async listModelIds(): Promise<string[]> {
    const ids: string[] = [];
    const folder = (await this.modelsFolder()) as FileSystemDirectoryHandle & {
      keys(): AsyncIterable<string>;
    };
    for await (const name of folder.keys()) ids.push(name);
    return ids;
  }
}
