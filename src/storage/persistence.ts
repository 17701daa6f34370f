// Persistent storage and quota: ask the browser not to evict Attune's data once the user has
// captured something worth keeping, and report usage for the Settings view.

export interface StorageStatus {
  /** Bytes used by this origin, or undefined where the browser does not say. */
  usage?: number;
  /** Bytes this origin may use, or undefined where the browser does not say. */
  quota?: number;
  persisted: boolean;
}

function storageManager(): StorageManager | undefined {
  return globalThis.navigator?.storage;
}

/**
 * Requests persistent storage unless already granted; returns whether data is now persistent.
 * Call after the first successful capture (asking on install would be premature).
 */
export async function ensurePersistentStorage(): Promise<boolean> {
  const storage = storageManager();
  if (!storage?.persist || !storage.persisted) return false;
  if (await storage.persisted()) return true;
  try {
    return await storage.persist();
  } catch {
    return false; // some contexts (e.g. a worker) cannot ask; eviction stays possible, nothing breaks
  }
}

export async function getStorageStatus(): Promise<StorageStatus> {
  const storage = storageManager();
  const [estimate, persisted] = await Promise.all([
    storage?.estimate ? storage.estimate().catch(() => ({}) as StorageEstimate) : Promise.resolve({} as StorageEstimate),
    storage?.persisted ? storage.persisted().catch(() => false) : Promise.resolve(false),
  ]);
  const status: StorageStatus = { persisted };
  if (estimate.usage !== undefined) status.usage = estimate.usage;
  if (estimate.quota !== undefined) status.quota = estimate.quota;
  return status;
}
