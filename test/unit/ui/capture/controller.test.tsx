// @vitest-environment jsdom
// The content-script controller on a page: chip on selection, one form for every entry point,
// closed shadow root, focus returned, keys kept away from page shortcuts.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { act } from 'preact/test-utils';
import type { CaptureApi, CaptureController } from '../../../../src/capture/api';
import { startCapture } from '../../../../src/ui/capture/controller';
import type { ExampleSavePayload } from '../../../../src/messaging/protocol';

// Record every shadow root the controller attaches: the page cannot reach a closed root, the test can.
const roots: { root: ShadowRoot; mode: ShadowRootMode }[] = [];
const originalAttachShadow = Element.prototype.attachShadow;
Element.prototype.attachShadow = function attachShadow(init: ShadowRootInit): ShadowRoot {
  const root = originalAttachShadow.call(this, init);
  roots.push({ root, mode: init.mode });
  return root;
};

// jsdom has no layout: give ranges an empty box so the chip can be placed.
Range.prototype.getClientRects ??= function getClientRects() {
  return [] as unknown as DOMRectList;
};
Range.prototype.getBoundingClientRect ??= function getBoundingClientRect() {
  return new DOMRect(10, 20, 30, 40);
};

let saved: ExampleSavePayload[];
let chipEnabled: boolean;
let locale: 'auto' | 'en' | 'zh_CN';
let controller: CaptureController;

const api: CaptureApi = {
  save: async (payload) => {
    saved.push(payload);
    return { kind: 'saved', count: saved.length };
  },
  listUserTemplates: async () => [{ id: 'u1', name: 'Mine', instruction: 'Do it my way.', urlPattern: '' }],
  saveTemplate: async (name, instruction, urlPattern) => ({ id: 'u2', name, instruction, urlPattern }),
  settings: async () => ({ chipEnabled, locale }),
};

beforeEach(() => {
  saved = [];
  chipEnabled = true;
  locale = 'auto';
  roots.length = 0;
  document.title = 'Foxes & dogs';
  document.body.innerHTML =
    '<button id="before">page button</button><article><p id="p">Foxes are quick. Dogs are lazy.</p>' +
    '<p id="xss">&lt;img src=x onerror="window.__attuneXss=1"&gt; &lt;script&gt;window.__attuneXss=2&lt;/script&gt;</p></article>';
});
afterEach(() => {
  controller?.destroy();
  document.getSelection()?.removeAllRanges();
});

async function start(): Promise<void> {
  await act(async () => {
    controller = startCapture(window, api, { closeAfterSaveMs: 150 });
  });
}

function select(id: string, start = 0, end?: number): void {
  const text = document.getElementById(id)!.firstChild!;
  const range = document.createRange();
  range.setStart(text, start);
  range.setEnd(text, end ?? text.textContent!.length);
  document.getSelection()!.removeAllRanges();
  document.getSelection()!.addRange(range);
}

async function mouseUpAndWait(): Promise<void> {
  await act(async () => {
    document.getElementById('p')!.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
    await new Promise((resolve) => setTimeout(resolve, 5));
  });
}

const shadow = (): ShadowRoot => roots[0]!.root;
const inUi = <T extends Element>(testId: string): T | null => shadow().querySelector<T>(`[data-testid="${testId}"]`);
const host = (): HTMLElement => document.querySelector('attune-capture')!;

test('selecting text shows the chip in a closed shadow root the page cannot open', async () => {
  await start();
  select('p', 0, 16);
  await mouseUpAndWait();
  expect(roots).toHaveLength(1);
  expect(roots[0]!.mode).toBe('closed');
  expect(host().shadowRoot).toBeNull();
  expect(inUi('capture-chip')?.textContent).toBe('Save example');
});

test('the chip opens the form with the selection as output and its paragraph as input', async () => {
  await start();
  select('p', 0, 16);
  await mouseUpAndWait();
  await act(async () => inUi<HTMLButtonElement>('capture-chip')!.click());
  expect(controller.isFormOpen()).toBe(true);
  expect(inUi<HTMLTextAreaElement>('capture-output')!.value).toBe('Foxes are quick.');
  expect(inUi<HTMLTextAreaElement>('capture-input')!.value).toBe('Foxes are quick. Dogs are lazy.');
  expect(inUi('capture-source-title')!.textContent).toBe('Foxes & dogs');
  // The person's own templates are offered after the built-in ones.
  const options = [...inUi<HTMLSelectElement>('capture-template')!.options].map((option) => option.textContent);
  expect(options.at(-1)).toBe('Mine');
});

test('no chip appears when the setting is off, but the form still opens from a command', async () => {
  chipEnabled = false;
  await start();
  select('p', 0, 16);
  await mouseUpAndWait();
  expect(roots.length === 0 || inUi('capture-chip') === null).toBe(true);
  await act(async () => controller.openForm('output'));
  expect(inUi<HTMLTextAreaElement>('capture-output')!.value).toBe('Foxes are quick.');
});

test("the context menu's selection text is used when the page selection is gone", async () => {
  await start();
  await act(async () => controller.openForm('input', '  text   from the menu '));
  expect(inUi<HTMLTextAreaElement>('capture-input')!.value).toBe('text from the menu');
  expect(inUi<HTMLTextAreaElement>('capture-output')!.value).toBe('');
  expect(shadow().activeElement).toBe(inUi('capture-output')); // the field left to type
});

test('Escape closes the form and returns focus to where it was on the page', async () => {
  await start();
  const before = document.getElementById('before')!;
  before.focus();
  await act(async () => controller.openForm('output', 'something'));
  expect(document.activeElement).toBe(host()); // focus moved into the shadow root
  await act(async () => {
    inUi('capture-form')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
  });
  expect(controller.isFormOpen()).toBe(false);
  expect(document.activeElement).toBe(before);
});

test('typing in the form does not trigger page keyboard shortcuts', async () => {
  const pageKeys: string[] = [];
  document.addEventListener('keydown', (event) => pageKeys.push(event.key));
  await start();
  await act(async () => controller.openForm('output', 'something'));
  inUi('capture-output')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', bubbles: true, composed: true }));
  expect(pageKeys).toEqual([]);
});

test('saving closes the form shortly after confirming', async () => {
  await start();
  await act(async () => controller.openForm('output', 'Foxes are quick.'));
  await act(async () => inUi<HTMLButtonElement>('capture-save')!.click());
  expect(saved).toHaveLength(1);
  await act(async () => new Promise((resolve) => setTimeout(resolve, 20))); // the save round trip
  expect(inUi('capture-status')!.textContent).toBe('Saved. You now have 1 examples.');
  await act(async () => new Promise((resolve) => setTimeout(resolve, 300)));
  expect(controller.isFormOpen()).toBe(false);
});

test('page text that looks like HTML is captured and shown literally, never executed', async () => {
  await start();
  select('xss');
  await act(async () => controller.openForm('output'));
  const output = inUi<HTMLTextAreaElement>('capture-output')!.value;
  expect(output).toBe('<img src=x onerror="window.__attuneXss=1"> <script>window.__attuneXss=2</script>');
  expect(shadow().querySelector('img, script')).toBeNull();
  expect((window as { __attuneXss?: number }).__attuneXss).toBeUndefined();
});

test("the form follows the language chosen in Attune's settings", async () => {
  locale = 'zh_CN';
  await start();
  await act(async () => controller.openForm('output', 'something'));
  expect(inUi('capture-save')!.textContent).toBe('保存');
  const { setLocale } = await import('../../../../src/i18n');
  setLocale('en');
});

test('a second capture while the form is open starts from the new selection', async () => {
  await start();
  await act(async () => controller.openForm('output', 'first capture'));
  await act(async () => controller.openForm('input', 'second capture'));
  expect(inUi<HTMLTextAreaElement>('capture-input')!.value).toBe('second capture');
  expect(inUi<HTMLTextAreaElement>('capture-output')!.value).toBe('');
});

test('if the page removes the host element, the next capture puts it back', async () => {
  await start();
  await act(async () => controller.openForm('output', 'first'));
  await act(async () => controller.closeForm());
  host().remove();
  expect(document.querySelector('attune-capture')).toBeNull();
  await act(async () => controller.openForm('output', 'second'));
  expect(document.querySelector('attune-capture')).not.toBeNull();
  expect(inUi<HTMLTextAreaElement>('capture-output')!.value).toBe('second');
});

test('a selection made before the settings arrive waits for them: the chip shows once they allow it, and not when they do not', async () => {
  for (const enabled of [true, false]) {
    let answer!: (settings: { chipEnabled: boolean; locale: 'auto' }) => void;
    const slowApi: CaptureApi = { ...api, settings: () => new Promise((resolve) => (answer = resolve)) };
    await act(async () => {
      controller = startCapture(window, slowApi, { closeAfterSaveMs: 150 });
    });
    select('p', 0, 16);
    await mouseUpAndWait(); // the page has just loaded: the background has not answered yet
    await act(async () => {
      answer({ chipEnabled: enabled, locale: 'auto' });
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    const chip = roots.length > 0 ? inUi('capture-chip') : null;
    if (enabled) expect(chip?.textContent).toBe('Save example');
    else expect(chip).toBeNull();
    controller.destroy();
    roots.length = 0;
  }
});
