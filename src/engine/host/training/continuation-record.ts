// A continued run's plan as plain data in its run record, and read back after a restart.
import { isMethodName } from '../../../tuning/registry';
import type { MethodName } from '../../../tuning/types';

/** What a continued run needs to know, kept in its run record so a resumed run sees the same. */
export interface ContinuationPlan {
  adapterId: string;
  name: string;
  method: MethodName;
  /** The adapter's version the run starts from. */
  fromVersion: number;
  /** New examples trained on, then the replayed older ones. */
  newIds: string[];
  replayIds: string[];
  /** Examples the run measures on and never trains on. */
  heldOutIds: string[];
}

/** The stored plan; null when the run continued nothing; 'unreadable' when it is not one the engine wrote. */
export function continuationFromRecord(value: unknown): ContinuationPlan | null | 'unreadable' {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null) return 'unreadable';
  const c = value as Record<string, unknown>;
  const ids = (list: unknown): list is string[] => Array.isArray(list) && list.every((id) => typeof id === 'string');
  if (
    typeof c.adapterId !== 'string' ||
    typeof c.name !== 'string' ||
    typeof c.method !== 'string' ||
    !isMethodName(c.method) ||
    typeof c.fromVersion !== 'number' ||
    !ids(c.newIds) ||
    !ids(c.replayIds) ||
    !ids(c.heldOutIds)
  ) {
    return 'unreadable';
  }
  return { adapterId: c.adapterId, name: c.name, method: c.method, fromVersion: c.fromVersion, newIds: c.newIds, replayIds: c.replayIds, heldOutIds: c.heldOutIds };
}
