// @vitest-environment jsdom
// The backend panel as the user meets it: the active backend and adapter, skipped backends with
// reasons, the override select, and the WASM fallback offered for a model too large for the GPU.
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { expect, test } from 'vitest';
import '../../../../src/i18n/models';
import { ModelTooLargeForGpuError } from '../../../../src/backend/errors';
import type { ActiveBackend, BackendOverride } from '../../../../src/backend/types';
import { BackendPanel } from '../../../../src/ui/models/BackendPanel';
import { mountPoint } from '../mount-point';

let container: HTMLElement;
mountPoint((element) => (container = element));

const byTestId = (id: string) => container.querySelector<HTMLElement>(`[data-testid="${id}"]`);

const webgpu: ActiveBackend = {
  name: 'webgpu',
  requested: 'auto',
  adapter: {
    vendor: 'google',
    architecture: 'swiftshader',
    device: '',
    description: '',
    isFallbackAdapter: true,
    limits: { maxBufferSize: 1024, maxStorageBufferBindingSize: 512 },
  },
  skipped: [],
};

test('shows the active backend, its adapter, and offers WASM when the model is too large', () => {
  const chosen: BackendOverride[] = [];
  const tooLarge = new ModelTooLargeForGpuError('lm_head.weight', 4096, 'maxStorageBufferBindingSize', 512);
  act(() => {
    render(
      <BackendPanel
        state={{ kind: 'ready', active: webgpu }}
        override="auto"
        onOverride={(o) => chosen.push(o)}
        tooLarge={tooLarge}
      />,
      container,
    );
  });
  expect(byTestId('models-backend-active')?.dataset.backend).toBe('webgpu');
  expect(byTestId('models-backend-adapter')?.textContent).toContain('swiftshader');
  expect(byTestId('models-backend-adapter')?.textContent).toContain('software adapter');
  const notice = byTestId('models-gpu-fallback')!;
  expect(notice.getAttribute('role')).toBe('alert');
  expect(notice.textContent).toContain('lm_head.weight');
  expect(notice.textContent).toContain('4096');
  act(() => byTestId('models-gpu-use-wasm')!.click());
  expect(chosen).toEqual(['wasm']);
});

test('the override select is labelled and reports the choice; skipped backends show their reason', () => {
  const chosen: BackendOverride[] = [];
  const wasm: ActiveBackend = {
    name: 'wasm',
    requested: 'webgpu',
    adapter: null,
    skipped: [{ name: 'webgpu', reason: 'no WebGPU adapter in this browser' }],
  };
  act(() => {
    render(
      <BackendPanel
        state={{ kind: 'ready', active: wasm }}
        override="webgpu"
        onOverride={(o) => chosen.push(o)}
        tooLarge={null}
      />,
      container,
    );
  });
  const select = byTestId('models-backend-override') as HTMLSelectElement;
  expect(container.querySelector(`label[for="${select.id}"]`)?.textContent).toBe('Backend');
  expect(select.value).toBe('webgpu');
  expect(byTestId('models-backend-skipped')?.textContent).toContain('no WebGPU adapter');
  expect(byTestId('models-gpu-fallback')).toBeNull();
  act(() => {
    select.value = 'cpu';
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  expect(chosen).toEqual(['cpu']);
});
