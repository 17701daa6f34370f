// @vitest-environment jsdom
// The Mix panel as a person uses it: tick adapters, set their weights, mix; the engine receives
// exactly those parts (svd by default, no rank unless given), and an engine refusal is reported.
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { expect, test } from 'vitest';
import '../../../../src/i18n/train';
import type { EngineClient } from '../../../../src/engine/client/engine-client';
import type { AdapterRecord } from '../../../../src/storage/schema';
import { MixPanel } from '../../../../src/ui/adapters/MixPanel';
import { mountPoint } from '../mount-point';

let container: HTMLElement;
mountPoint((element) => (container = element));

const record = (id: string, name: string) => ({ id, name, method: 'lora', modelId: 'm', config: {}, weights: new ArrayBuffer(0), createdAt: 0, updatedAt: 0 }) as AdapterRecord;
const all = (id: string) => [...container.querySelectorAll<HTMLInputElement>(`[data-testid="${id}"]`)];

function input(element: HTMLInputElement, value: string) {
  element.value = value;
  element.dispatchEvent(new Event('input', { bubbles: true }));
}

test('sends the ticked adapters with their weights, then reports the saved mix', async () => {
  const calls: { kind: string; payload: unknown }[] = [];
  const engine = { request: async (kind: string, payload: unknown) => (calls.push({ kind, payload }), { adapterId: 'new', name: 'Blend' }) } as unknown as EngineClient;
  const mixed: string[] = [];
  render(<MixPanel engine={engine} adapters={[record('a', 'First'), record('b', 'Second')]} onMixed={(name) => mixed.push(name)} onError={(e) => { throw e; }} />, container);
  const run = container.querySelector<HTMLButtonElement>('[data-testid="adapters-mix-run"]')!;
  expect(run.disabled).toBe(true); // nothing ticked yet
  for (const [index, weight] of [[0, '0.5'], [1, '-0.25']] as const) {
    await act(() => all('adapters-mix-include')[index]!.click());
    await act(() => input(all('adapters-mix-weight')[index]!, weight));
  }
  await act(() => input(container.querySelector('[data-testid="adapters-mix-name"]')!, 'Blend'));
  expect(run.disabled).toBe(false);
  // Any weight is valid: a stepped number field would block the form on -0.25 (step mismatch).
  expect(container.querySelector('form')!.checkValidity()).toBe(true);
  await act(async () => run.click());
  expect(calls).toEqual([{ kind: 'adapter.mix', payload: { name: 'Blend', parts: [{ adapterId: 'a', weight: 0.5 }, { adapterId: 'b', weight: -0.25 }], combination: 'svd' } }]);
  expect(mixed).toEqual(['Blend']);
});
