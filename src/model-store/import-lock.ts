// Imports hold a shared Web Lock while they write files; orphan clean-up takes the lock
// exclusively and only if free, so it never deletes the folder of a download running in another
// tab. Where Web Locks are missing (Node), work runs unguarded.
const LOCK_NAME = 'attune-model-import';

interface LockManagerLike {
  request<T>(
    name: string,
    options: { mode?: 'shared' | 'exclusive'; ifAvailable?: boolean },
    work: (lock: unknown) => Promise<T>,
  ): Promise<T>;
}

function locks(): LockManagerLike | undefined {
  return (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
}

export async function whileImporting<T>(work: () => Promise<T>): Promise<T> {
  const manager = locks();
  return manager ? manager.request(LOCK_NAME, { mode: 'shared' }, work) : work();
}

/** Runs work only when no import is in progress anywhere; returns null when one is. */
export async function whenNoImport<T>(work: () => Promise<T>): Promise<T | null> {
  const manager = locks();
  if (!manager) return work();
  return manager.request(LOCK_NAME, { mode: 'exclusive', ifAvailable: true }, (lock) =>
    lock ? work() : Promise.resolve(null),
  );
}
