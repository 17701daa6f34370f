// Where imported model files live. The interface is small so the OPFS implementation (browser)
// and any other (tests, a future Node CLI cache) are interchangeable.

export interface ModelFileStore {
  /**
   * Writes one file of a model from a stream, replacing any earlier copy; returns the bytes
   * written. A failed or aborted stream leaves no file behind.
   */
  write(modelId: string, fileName: string, data: ReadableStream<Uint8Array>): Promise<number>;
  /** The stored file (lazy: reading it does not load the bytes until asked). */
  read(modelId: string, fileName: string): Promise<Blob>;
  /** Deletes every file of the model; a no-op when there is none. */
  removeModel(modelId: string): Promise<void>;
  /** Ids that have a folder, to find leftovers of an interrupted import. */
  listModelIds(): Promise<string[]>;
}
