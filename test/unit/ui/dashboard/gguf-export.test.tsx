// @vitest-environment jsdom
// The Export GGUF button as a person meets it: a labelled dialog, the choices sent to the engine
// as model.export, the engine's progress on screen while it works, the file downloaded with
// the engine's name, and an engine error shown in the dialog in the reader's language.
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import '../../../../src/i18n/dashboard';
import '../../../../src/i18n/errors';
import { setLocale } from '../../../../src/i18n';
import type { EngineClient } from '../../../../src/engine/client/engine-client';
import { bytesToBase64 } from '../../../../src/engine/protocol/base64';
import { GgufExportError } from '../../../../src/interop/gguf/errors';
import { GgufExport } from '../../../../src/ui/dashboard/GgufExport';

let container: HTMLElement;
beforeEach(() => {
  setLocale('en');
  container = document.createElement('div');
  document.body.append(container);
});
afterEach(() => {
  render(null, container);
  container.remove();
  vi.restoreAllMocks();
});

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

/** An engine whose export waits until the test lets it finish, reporting progress meanwhile. */
function fakeEngine(outcome: 'ok' | 'error') {
  const calls: { kind: string; payload: unknown }[] = [];
  let finish!: () => void;
  const engine = {
    request: (kind: string, payload: unknown, options?: { onProgress?: (p: unknown) => void }) => {
      calls.push({ kind, payload });
      options?.onProgress?.({ phase: 'converting' });
      return new Promise((resolve, reject) => {
        finish = () => (outcome === 'ok' ? resolve({ fileName: 'tuned-q8_0.gguf', bytesBase64: bytesToBase64(new Uint8Array([71, 71, 85, 70])) }) : reject(new GgufExportError('llama.cpp adapters cannot hold DoRA magnitudes; export the model merged instead')));
      });
    },
  } as unknown as EngineClient;
  return { engine, calls, finish: () => finish() };
}

test('exports the adapter alone at q8_0 with progress, then downloads the named file', async () => {
  const created: Blob[] = [];
  URL.createObjectURL = vi.fn((blob: Blob) => (created.push(blob), 'blob:x'));
  URL.revokeObjectURL = vi.fn();
  const clicked: string[] = [];
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    clicked.push(this.download);
  });
  const done: string[] = [];
  const { engine, calls, finish } = fakeEngine('ok');
  render(<GgufExport engine={engine} name="tuned" modelId="m1" adapterId="a1" adapterAlone onDone={(f) => done.push(f)} />, container);
  const open = byTestId('gguf-export-open')!;
  expect(open.getAttribute('aria-label')).toBe('Export GGUF… (tuned)');
  act(() => open.click());
  expect(byTestId('gguf-export-dialog')).not.toBeNull();
  act(() => byTestId('gguf-type-q8_0')!.click());
  act(() => byTestId('gguf-what-adapter')!.click());
  act(() => byTestId('gguf-export-run')!.click());
  expect(calls).toEqual([{ kind: 'model.export', payload: { modelId: 'm1', adapterId: 'a1', adapterOnly: true, type: 'q8_0' } }]);
  expect(byTestId('gguf-export-status')!.textContent).toContain('Writing the GGUF file…');
  expect(byTestId('gguf-export-run')!.hasAttribute('disabled')).toBe(true);
  await act(async () => finish());
  expect(clicked).toEqual(['tuned-q8_0.gguf']);
  expect(created[0]).toMatchObject({ size: 4, type: 'application/octet-stream' }); // jsdom's Blob has no arrayBuffer()
  expect(done).toEqual(['tuned-q8_0.gguf']);
  expect(byTestId('gguf-export-dialog')).toBeNull();
});

test('a model without an adapter offers no adapter choice; an engine error stays in the dialog, in Chinese too', async () => {
  setLocale('zh_CN');
  const { engine, calls, finish } = fakeEngine('error');
  render(<GgufExport engine={engine} name="base" modelId="m1" adapterId={null} adapterAlone={false} onDone={() => undefined} />, container);
  act(() => byTestId('gguf-export-open')!.click());
  expect(byTestId('gguf-what-adapter')).toBeNull();
  act(() => byTestId('gguf-export-run')!.click());
  expect(calls[0]!.payload).toEqual({ modelId: 'm1', adapterId: null, adapterOnly: false, type: 'f16' });
  await act(async () => finish());
  expect(byTestId('gguf-export-error')!.textContent).toMatch(/^无法导出：无法导出为 GGUF：/);
  expect(byTestId('gguf-export-dialog')).not.toBeNull();
  expect(byTestId('gguf-export-status')!.textContent).toBe('');
});
