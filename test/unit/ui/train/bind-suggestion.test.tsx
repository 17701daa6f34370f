// @vitest-environment jsdom
// After a run on a tag, the sites its examples came from are offered as bindings: nothing is
// bound until the person confirms, then exactly those hosts are added.
import '../../storage/helpers';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { expect, test, vi } from 'vitest';
import { getAdapter, saveAdapter } from '../../../../src/storage/adapters-repo';
import { addExample } from '../../../../src/storage/examples-repo';
import type { AdapterRecord } from '../../../../src/storage/schema';
import { BindSuggestion } from '../../../../src/ui/train/BindSuggestion';
import { freshDb } from '../../storage/helpers';
import { mountPoint } from '../mount-point';

let container: HTMLElement;
mountPoint((element) => (container = element));

const record: AdapterRecord = { id: 'a1', name: 'work notes', method: 'lora', modelId: 'm', config: {}, weights: new ArrayBuffer(0), createdAt: 0, updatedAt: 0, sites: ['old.example'] };
const byTestId = (id: string) => container.querySelector<HTMLElement>(`[data-testid="${id}"]`);

test('offers the hosts of the tag’s examples (most first, already bound left out) and binds them on confirm', async () => {
  const db = await freshDb();
  await saveAdapter(db, record);
  for (const url of ['https://wiki.corp.example/a', 'https://wiki.corp.example/b', 'https://old.example/x', 'http://docs.corp.example:8080/c', '']) {
    await addExample(db, { instruction: `q ${url}`, output: 'a', tags: ['work'], sourceUrl: url });
  }
  await addExample(db, { instruction: 'other', output: 'a', tags: ['food'], sourceUrl: 'https://food.example/' });
  await act(() => render(<BindSuggestion db={db} adapterId="a1" tag="work" />, container));
  await vi.waitFor(async () => {
    await act(async () => undefined);
    expect(byTestId('train-bind-offer')).not.toBeNull();
  });
  expect(byTestId('train-bind-offer')!.textContent).toContain(
    'The examples tagged “work” came from wiki.corp.example, docs.corp.example. Bind “work notes” to these sites',
  );
  expect((await getAdapter(db, 'a1'))!.sites).toEqual(['old.example']); // a suggestion only
  await act(() => byTestId('train-bind-confirm')!.click());
  await vi.waitFor(async () => {
    await act(async () => undefined);
    expect(byTestId('train-bind-outcome')?.textContent).toBe('“work notes” is bound to wiki.corp.example, docs.corp.example.');
  });
  expect((await getAdapter(db, 'a1'))!.sites).toEqual(['old.example', 'wiki.corp.example', 'docs.corp.example']);
  db.close();
});
