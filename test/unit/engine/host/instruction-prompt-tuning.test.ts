// The engine trains instruction-prompt-tuning through the same data preparation as the CLI: each
// example gets the most similar other captured example as an earlier turn, the saved adapter's
// config carries the retrieval settings the chat reads, and the end-of-run comparison runs.
import { expect, test } from 'vitest';
import type { TrainState } from '../../../../src/engine/protocol/types';
import { getAdapter } from '../../../../src/storage/adapters-repo';
import { importExamples } from '../../../../src/storage/examples-repo';
import { demonstrationsOf } from '../../../../src/tuning/peft/retrieval-settings';
import { createHost, freshDb, TestClient, useCpuHosts } from './helpers';

const hosts = useCpuHosts();

test('trains with one demonstration per example and saves the retrieval settings with the adapter', async () => {
  const db = await freshDb();
  // "go a" -> "A": short enough that an example and one demonstration fit the fixture's 64 positions.
  const letters = [...'abcdefghijkl'];
  await importExamples(
    db,
    letters.map((c, i) => ({ draft: { instruction: `go ${c}`, input: '', output: c.toUpperCase(), tags: [], sourceUrl: '', sourceTitle: '' }, createdAt: 1000 + i })),
  );
  const engine = createHost(db);
  hosts.push(engine);
  const final = (await new TestClient(engine).request('train.start', {
    examples: { kind: 'all' },
    method: 'instruction-prompt-tuning',
    methodConfig: { numVirtualTokens: 2, demonstrations: 1 },
    overrides: { maxSteps: 3, lr: 0.03, minLr: 0.003, batchSize: 4 },
  })) as TrainState;
  expect(final.error).toBeNull();
  expect(final.phase).toBe('completed');
  expect(final.notes.join(' ')).toMatch(/Demonstrations: 1\.00 of 1 per training example/);
  expect(final.summary!.samples.length).toBeGreaterThan(0);
  const record = (await getAdapter(db, final.adapterId!))!;
  expect(record.method).toBe('instruction-prompt-tuning');
  expect(record.config.peft_type).toBe('PROMPT_TUNING');
  expect(demonstrationsOf(record.config)).toBe(1);
});
