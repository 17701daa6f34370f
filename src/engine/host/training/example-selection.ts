// Which stored examples a run trains on, in an order the run record can keep.
import type { Example } from '../../../dataset/example';
import type { AttuneDb } from '../../../storage/db';
import { allExamplesOldestFirst, getExample, listExamples } from '../../../storage/examples-repo';
import type { TrainingExample } from '../../../tuning/train/data';
import type { ExampleSelection } from '../../protocol/types';
import { EngineError } from '../errors';

/** The examples a selection names, oldest first (a stable order the run record keeps). */
export async function selectExamples(db: AttuneDb, selection: ExampleSelection): Promise<Example[]> {
  if (selection.kind === 'all') return allExamplesOldestFirst(db);
  const tagged = await listExamples(db, { tag: selection.tag });
  return tagged.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

/** The examples of a run, in the run's order; refuses when some were deleted since it started. */
export async function examplesById(db: AttuneDb, ids: readonly string[]): Promise<TrainingExample[]> {
  const found = await Promise.all(ids.map((id) => getExample(db, id)));
  const missing = found.filter((e) => !e).length;
  if (missing > 0) {
    throw new EngineError('error.examples-deleted', { missing });
  }
  return found.map((e) => ({ instruction: e!.instruction, input: e!.input, output: e!.output }));
}
