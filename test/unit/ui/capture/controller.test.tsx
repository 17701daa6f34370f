// @vitest-environment jsdom
// The content-script controller on a page: chip on selection, one form for every entry point,
// closed shadow root, focus returned, keys kept away from page shortcuts.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { act } from 'preact/test-utils';
import type { CaptureApi, CaptureController, ChipDecision } from '../../../../src/capture/api';
import { startCapture, type CaptureOptions } from '../../../../src/ui/capture/controller';
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
let decisions: ChipDecision[];
let waitingForDecision: ((decision: ChipDecision) => void)[];

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
  decisions = [];
  waitingForDecision = [];
  document.title = 'Foxes & dogs';
  document.body.innerHTML =
    '<button id="before">page button</button><article><p id="p">Foxes are quick. Dogs are lazy.</p>' +
    '<p id="xss">&lt;img src=x onerror="window.__attuneXss=1"&gt; &lt;script&gt;window.__attuneXss=2&lt;/script&gt;</p></article>';
});
afterEach(() => {
  vi.useRealTimers();
  controller?.destroy();
  document.getSelection()?.removeAllRanges();
});

/**
 * jsdom cannot make trusted events, so these tests let the controller treat theirs as the
 * person's; the refusal of untrusted ones is tested with the browser's own check.
 */
const options = (extra: CaptureOptions = {}): CaptureOptions => ({
  closeAfterSaveMs: 150,
  isTrusted: () => true,
  onChipDecision: (decision) => {
    decisions.push(decision);
    for (const resolve of waitingForDecision.splice(0)) resolve(decision);
  },
  ...extra,
});

/** The controller's next chip decision, made after this call. */
const nextDecision = (): Promise<ChipDecision> => new Promise((resolve) => waitingForDecision.push(resolve));

async function start(api_: CaptureApi = api, extra: CaptureOptions = {}): Promise<void> {
  await act(async () => {
    controller = startCapture(window, api_, options(extra));
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

const mouseUp = (): boolean => document.getElementById('p')!.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));

/** Releases the mouse on the page and returns what the controller decided for it, once it has. */
async function mouseUpAndDecision(): Promise<ChipDecision> {
  const decided = nextDecision();
  await act(async () => {
    mouseUp();
    await decided;
  });
  return decided;
}

const shadow = (): ShadowRoot => roots[0]!.root;
const inUi = <T extends Element>(testId: string): T | null => shadow().querySelector<T>(`[data-testid="${testId}"]`);
const host = (): HTMLElement => document.querySelector('attune-capture')!;

test('selecting text shows the chip in a closed shadow root the page cannot open', async () => {
  await start();
  select('p', 0, 16);
  expect(await mouseUpAndDecision()).toBe('shown');
  expect(roots).toHaveLength(1);
  expect(roots[0]!.mode).toBe('closed');
  expect(host().shadowRoot).toBeNull();
  expect(inUi('capture-chip')?.textContent).toBe('Save example');
});

test('the chip opens the form with the selection as output and its paragraph as input', async () => {
  await start();
  select('p', 0, 16);
  expect(await mouseUpAndDecision()).toBe('shown');
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
  expect(await mouseUpAndDecision()).toBe('chip-off');
  expect(roots).toHaveLength(0); // nothing is added to the page, not even the empty host
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

test('saving closes the form exactly closeAfterSaveMs after confirming', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  await start();
  await act(async () => controller.openForm('output', 'Foxes are quick.'));
  await act(async () => inUi<HTMLButtonElement>('capture-save')!.click());
  expect(saved).toHaveLength(1);
  // The fake save answers at once; advancing the clock by 0 lets its promises settle first.
  await act(async () => void (await vi.advanceTimersByTimeAsync(0)));
  expect(inUi('capture-status')!.textContent).toBe('Saved. You now have 1 examples.');
  await act(async () => void (await vi.advanceTimersByTimeAsync(149)));
  expect(controller.isFormOpen()).toBe(true);
  await act(async () => void (await vi.advanceTimersByTimeAsync(1)));
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
    await start(slowApi);
    select('p', 0, 16);
    const decided = nextDecision();
    await act(async () => void mouseUp()); // the page has just loaded: the background has not answered yet
    expect(decisions).toEqual([]); // no decision without the settings
    await act(async () => {
      answer({ chipEnabled: enabled, locale: 'auto' });
      await decided;
    });
    expect(await decided).toBe(enabled ? 'shown' : 'chip-off');
    const chip = roots.length > 0 ? inUi('capture-chip') : null;
    if (enabled) expect(chip?.textContent).toBe('Save example');
    else expect(chip).toBeNull();
    controller.destroy();
    roots.length = 0;
    decisions.length = 0;
  }
});

test("a page's own mouseup or keyup (untrusted) never raises the chip", async () => {
  await start(api, { isTrusted: undefined }); // the browser's own check: jsdom's events are untrusted
  select('p', 0, 16);
  act(() => {
    mouseUp();
    document.getElementById('p')!.dispatchEvent(new KeyboardEvent('keyup', { key: 'Shift', bubbles: true }));
  });
  // Decided at once, in the event itself, before any settings read or timer.
  expect(decisions).toEqual(['untrusted', 'untrusted']);
  expect(roots).toHaveLength(0);
});

test('each mouseup gets one decision: nothing selected, the form open, or a click inside the chip', async () => {
  await start();
  document.getSelection()!.removeAllRanges();
  expect(await mouseUpAndDecision()).toBe('no-selection');
  select('p', 0, 16);
  expect(await mouseUpAndDecision()).toBe('shown');
  act(() => {
    inUi('capture-chip')!.dispatchEvent(new MouseEvent('mouseup', { bubbles: true, composed: true }));
  });
  expect(decisions.at(-1)).toBe('inside-ui');
  await act(async () => controller.openForm('output'));
  act(() => void mouseUp());
  expect(decisions).toEqual(['no-selection', 'shown', 'inside-ui', 'form-open']);
});

test('a selection still being decided when the controller is destroyed adds nothing to the page', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  // Destroyed while the settings are on their way, then while the chip's timer is pending.
  let answer!: (settings: { chipEnabled: boolean; locale: 'auto' }) => void;
  await start({ ...api, settings: () => new Promise((resolve) => (answer = resolve)) });
  select('p', 0, 16);
  await act(async () => void mouseUp());
  controller.destroy();
  await act(async () => answer({ chipEnabled: true, locale: 'auto' }));
  await act(async () => void (await vi.runAllTimersAsync()));
  await start();
  await act(async () => void mouseUp()); // the settings are in: the chip waits only for its timer
  controller.destroy();
  await act(async () => void (await vi.runAllTimersAsync()));
  expect(decisions).toEqual([]);
  expect(roots).toHaveLength(0);
  expect(document.querySelector('attune-capture')).toBeNull();
});
