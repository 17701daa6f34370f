// @vitest-environment jsdom
// The versions list under an adapter: a disclosure button, one row per version with its figures,
// a labelled Restore button on every version but the current one, in English and Chinese.
import 'fake-indexeddb/auto';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, expect, test, vi } from 'vitest';
import { setLocale } from '../../../../src/i18n';
import { openAttuneDb } from '../../../../src/storage/db';
import { addTrainedVersion, saveNewAdapterVersion } from '../../../../src/storage/adapter-versions-repo';
import { getAdapter } from '../../../../src/storage/adapters-repo';
import type { AdapterRecord } from '../../../../src/storage/schema';
import { VersionsRow } from '../../../../src/ui/adapters/VersionsRow';

afterEach(() => setLocale('en'));

const ADAPTER: AdapterRecord = {
  id: 'a1',
  name: 'Notes',
  method: 'lora',
  modelId: 'bundled',
  config: {},
  weights: new Uint8Array([1]).buffer,
  createdAt: 1,
  updatedAt: 1,
  metrics: { heldOutLossBefore: 2.5, heldOutLossAfter: 1.25, steps: 10 },
};

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await act(() => new Promise((r) => setTimeout(r, 0)));
}

test('lists v1 and v2 with figures; Restore is a labelled button on the older version only', async () => {
  const db = await openAttuneDb({ name: `versions-row-${Math.random()}` });
  await saveNewAdapterVersion(db, ADAPTER, { newExamples: 18, replayedExamples: 0, trainExampleIds: ['e1'], heldOutExampleIds: [] });
  await addTrainedVersion(db, 'a1', { config: {}, weights: new Uint8Array([2]).buffer, metrics: { steps: 30, lastTrainLoss: 0.5 }, newExamples: 1, replayedExamples: 1, trainExampleIds: ['e2', 'e1'], heldOutExampleIds: [] }, 5);
  const record = (await getAdapter(db, 'a1'))!;
  const onRestore = vi.fn(async () => undefined);
  const root = document.createElement('table');
  const body = root.appendChild(document.createElement('tbody'));
  render(<VersionsRow db={db} record={record} columns={6} onRestore={onRestore} />, body);
  await settle();
  const toggle = body.querySelector<HTMLButtonElement>('[data-testid="adapter-versions-toggle"]')!;
  expect(toggle.textContent).toBe('Versions (2)');
  expect(toggle.getAttribute('aria-expanded')).toBe('false');
  await act(() => toggle.click());
  await settle();
  expect(toggle.getAttribute('aria-expanded')).toBe('true');
  expect(body.querySelector(`#${toggle.getAttribute('aria-controls')}`)).not.toBeNull();
  const rows = [...body.querySelectorAll('[data-testid="adapter-version"]')];
  expect(rows.map((r) => [r.getAttribute('data-version'), r.getAttribute('data-current')])).toEqual([['1', 'false'], ['2', 'true']]);
  expect(rows[0]!.querySelector('[data-testid="adapter-version-loss"]')!.textContent).toBe('2.500 → 1.250');
  expect(rows[1]!.querySelector('[data-testid="adapter-version-loss"]')!.textContent).toBe('30 steps, training loss 0.500 (no held-out set)');
  expect(rows[1]!.querySelector('[data-testid="adapter-version-examples"]')!.textContent).toBe('1 new, 1 replayed');
  expect(rows[1]!.querySelector('[data-testid="adapter-version-restore"]')).toBeNull();
  const restore = rows[0]!.querySelector<HTMLButtonElement>('[data-testid="adapter-version-restore"]')!;
  expect(restore.tagName).toBe('BUTTON'); // a native button: focusable, Enter and Space press it
  expect(restore.getAttribute('aria-label')).toBe('Restore version 1 of Notes');
  await act(() => restore.click());
  expect(onRestore).toHaveBeenCalledWith(1);

  setLocale('zh_CN');
  render(<VersionsRow db={db} record={{ ...record, updatedAt: 6 }} columns={6} onRestore={onRestore} />, body);
  await settle();
  expect(body.querySelector('[data-testid="adapter-version-restore"]')!.getAttribute('aria-label')).toBe('恢复 Notes 的版本 1');
  db.close();
});
