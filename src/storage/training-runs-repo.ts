// Training runs as plain records: config, status and loss curve, so the UI can show history.

import { AttuneError } from '../errors/attune-error';
import type { AttuneDb } from './db';
import type { TrainingRunRecord } from './schema';
import { writeTransaction } from './transaction';

export class TrainingRunNotFoundError extends AttuneError {
  constructor(readonly id: string) {
    super('error.training-run-missing', { id });
  }
}

export async function saveTrainingRun(db: AttuneDb, run: TrainingRunRecord): Promise<void> {
  await writeTransaction(db, ['trainingRuns'], async (tx) => {
    await tx.store.put(run);
  });
}

/** Applies `change` to the stored run inside one transaction (read-modify-write, no lost updates). */
export async function updateTrainingRun(
  db: AttuneDb,
  id: string,
  change: (run: TrainingRunRecord) => TrainingRunRecord,
): Promise<TrainingRunRecord> {
  return writeTransaction(db, ['trainingRuns'], async (tx) => {
    const current = await tx.store.get(id);
    if (!current) throw new TrainingRunNotFoundError(id);
    const next = change(current);
    await tx.store.put(next);
    return next;
  });
}

export async function getTrainingRun(db: AttuneDb, id: string): Promise<TrainingRunRecord | undefined> {
  return db.get('trainingRuns', id);
}

/** Runs, newest first. */
export async function listTrainingRuns(db: AttuneDb): Promise<TrainingRunRecord[]> {
  return (await db.getAllFromIndex('trainingRuns', 'byStartedAt')).reverse();
}

export async function deleteTrainingRun(db: AttuneDb, id: string): Promise<void> {
  await writeTransaction(db, ['trainingRuns'], async (tx) => {
    await tx.store.delete(id);
  });
}

