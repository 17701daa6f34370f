// Storage estimate before a download, and quota failures while writing, both as
// ModelStorageFullError so the user sees one clear message.
import { isQuotaError } from '../storage/errors';
import { ModelStorageFullError } from './errors';

export type EstimateStorage = () => Promise<{ usage?: number; quota?: number }>;

export const browserEstimate: EstimateStorage = async () =>
  (await globalThis.navigator?.storage?.estimate?.()) ?? {};

/** Throws before any byte is downloaded when the browser says the model cannot fit. */
export async function assertSpaceFor(neededBytes: number, estimate: EstimateStorage): Promise<void> {
  const { usage, quota } = await estimate().catch(() => ({}) as { usage?: number; quota?: number });
  if (usage === undefined || quota === undefined) return; // unknown: the write itself will tell
  const available = Math.max(0, quota - usage);
  if (neededBytes > available) throw new ModelStorageFullError(neededBytes, available);
}

/** Turns a browser quota failure into ModelStorageFullError; other errors pass through. */
export function mapQuotaError(error: unknown): unknown {
  return isQuotaError(error) ? new ModelStorageFullError(null, null, error) : error;
}
