import 'fake-indexeddb/auto';
import { openAttuneDb, type AttuneDb } from '../../../src/storage/db';

let counter = 0;

/** A fresh, empty database per call, so tests never share state. */
export function freshDbName(): string {
  counter += 1;
  return `attune-test-${process.pid}-${counter}-${Math.random().toString(36).slice(2)}`;
}

export async function freshDb(): Promise<AttuneDb> {
  return openAttuneDb({ name: freshDbName() });
}
