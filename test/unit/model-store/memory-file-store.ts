// An in-memory ModelFileStore for Node tests (OPFS exists only in browsers; the e2e test covers
// the OPFS store). Same contract: a failed stream leaves no file behind.
import type { ModelFileStore } from '../../../src/model-store/file-store';
import { MissingModelFileError } from '../../../src/model/errors';

export class MemoryFileStore implements ModelFileStore {
  readonly models = new Map<string, Map<string, Uint8Array>>();

  async write(modelId: string, fileName: string, data: ReadableStream<Uint8Array>): Promise<number> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of data as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
    const bytes = new Uint8Array(await new Blob(chunks.map((c) => c.slice())).arrayBuffer());
    if (!this.models.has(modelId)) this.models.set(modelId, new Map());
    this.models.get(modelId)!.set(fileName, bytes);
    return bytes.length;
  }

  async read(modelId: string, fileName: string): Promise<Blob> {
    const bytes = this.models.get(modelId)?.get(fileName);
    if (!bytes) throw new MissingModelFileError(fileName);
    return new Blob([bytes.slice()]);
  }

  async removeModel(modelId: string): Promise<void> {
    this.models.delete(modelId);
  }

  async listModelIds(): Promise<string[]> {
    return [...this.models.keys()];
  }
}
