// @vitest-environment jsdom
import 'fake-indexeddb/auto';
import { File as NodeFile } from 'node:buffer';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import '../../../../src/i18n/dashboard';
import { setLocale } from '../../../../src/i18n';
import { openAttuneDb, type AttuneDb } from '../../../../src/storage/db';
import { addExample, countExamples, listExamples } from '../../../../src/storage/examples-repo';
import { DEFAULT_SETTINGS } from '../../../../src/storage/settings-repo';
import { App } from '../../../../src/ui/dashboard/App';
import { UNDO_WINDOW_MS } from '../../../../src/ui/dashboard/Toasts';
import { dashboardViews } from '../../../../src/ui/dashboard/views';
import { EngineClient } from '../../../../src/engine/client/engine-client';

let db: AttuneDb;
let container: HTMLElement;

beforeEach(async () => {
  setLocale('en');
  db = await openAttuneDb({ name: `view-${Math.random()}` });
  await addExample(db, { instruction: 'Define cat', output: 'A feline', tags: ['animals'], sourceUrl: 'https://wiki.test/cat' }, 1);
  await addExample(db, { instruction: 'Define dog', output: 'A canine', tags: ['animals'], sourceUrl: 'https://wiki.test/dog' }, 2);
  await addExample(db, { instruction: 'Summarise post', output: 'Short', sourceUrl: 'https://blog.test/p' }, 3);
  container = document.createElement('div');
  document.body.append(container);
  location.hash = '';
  // The Examples view never talks to the engine: a client that fails if it ever connects.
  const engine = new EngineClient(() => Promise.reject(new Error('the Examples view must not use the engine')));
  render(<App db={db} engine={engine} initialSettings={{ ...DEFAULT_SETTINGS }} />, container);
  await settle();
});

afterEach(() => {
  vi.useRealTimers();
  render(null, container);
  container.remove();
  db.close();
});

const byTestId = <T extends Element = HTMLElement>(id: string) => container.querySelector<T>(`[data-testid="${id}"]`);
const allByTestId = (id: string) => [...container.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const instructions = () => allByTestId('example-instruction').map((el) => el.textContent);

/** Lets IndexedDB callbacks and Preact re-renders run until the DOM stops changing. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
  }
}

async function type(element: HTMLInputElement | HTMLTextAreaElement, value: string) {
  element.value = value;
  element.dispatchEvent(new Event('input', { bubbles: true }));
  await settle();
}

async function choose(select: HTMLSelectElement, value: string) {
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  await settle();
}

async function click(element: HTMLElement | null) {
  if (!element) throw new Error('element to click is missing');
  element.click();
  await settle();
}

async function chooseFile(content: string, name = 'data.jsonl') {
  const input = byTestId<HTMLInputElement>('examples-import-file')!;
  // jsdom's File lacks text(); Node's File is the same web API and has it.
  Object.defineProperty(input, 'files', { value: [new NodeFile([content], name)], configurable: true });
  input.dispatchEvent(new Event('change', { bubbles: true }));
  await settle();
}

test('lists newest first, and search, tag and site filters narrow the list', async () => {
  expect(instructions()).toEqual(['Summarise post', 'Define dog', 'Define cat']);
  await type(byTestId<HTMLInputElement>('examples-search')!, 'feline');
  expect(instructions()).toEqual(['Define cat']);
  await type(byTestId<HTMLInputElement>('examples-search')!, '');
  await choose(byTestId<HTMLSelectElement>('examples-tag')!, 'animals');
  expect(instructions()).toEqual(['Define dog', 'Define cat']);
  await choose(byTestId<HTMLSelectElement>('examples-tag')!, '');
  await choose(byTestId<HTMLSelectElement>('examples-site')!, 'blog.test');
  expect(instructions()).toEqual(['Summarise post']);
});

test('delete removes at once; Undo in the toast brings the example back', async () => {
  await click(allByTestId('example-delete')[1]!); // "Define dog"
  expect(instructions()).toEqual(['Summarise post', 'Define cat']);
  expect(await countExamples(db)).toBe(2);
  expect(byTestId('toast-region')?.getAttribute('aria-live')).toBe('polite');
  await click(byTestId('toast-undo'));
  expect(instructions()).toEqual(['Summarise post', 'Define dog', 'Define cat']);
});

test('the undo toast goes away after the undo window', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  act(() => allByTestId('example-delete')[0]!.click());
  for (let i = 0; i < 20 && !byTestId('toast-undo'); i++) {
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1);
    });
  }
  expect(byTestId('toast-undo')).not.toBeNull();
  await act(async () => {
    await vi.advanceTimersByTimeAsync(UNDO_WINDOW_MS + 10);
  });
  expect(byTestId('toast-undo')).toBeNull();
});

test('bulk delete removes every selected example', async () => {
  const boxes = allByTestId('example-select') as HTMLInputElement[];
  await click(boxes[0]!);
  await click(boxes[2]!);
  expect(byTestId('examples-delete-selected')?.textContent).toContain('(2)');
  await click(byTestId('examples-delete-selected'));
  expect(instructions()).toEqual(['Define dog']);
});

test('editing in the dialog saves, refuses empty output, and returns focus to the Edit button', async () => {
  const editButton = allByTestId('example-edit')[2]!; // "Define cat"
  editButton.focus();
  await click(editButton);
  const dialog = byTestId('editor-dialog')!;
  expect(dialog.getAttribute('role')).toBe('dialog');
  expect(document.activeElement).toBe(byTestId('editor-instruction'));
  await type(byTestId<HTMLTextAreaElement>('editor-output')!, '   ');
  await click(byTestId('editor-save'));
  expect(byTestId('editor-output')?.getAttribute('aria-invalid')).toBe('true');
  expect(byTestId('editor-dialog')).not.toBeNull();
  await type(byTestId<HTMLTextAreaElement>('editor-output')!, 'A small feline');
  await type(byTestId<HTMLInputElement>('editor-tags')!, 'animals, pets');
  await click(byTestId('editor-save'));
  expect(byTestId('editor-dialog')).toBeNull();
  const cat = (await listExamples(db, { query: 'Define cat' }))[0];
  expect(cat).toMatchObject({ output: 'A small feline', tags: ['animals', 'pets'], createdAt: 1 });
  expect(document.activeElement).toBe(editButton);
});

test('Escape closes the edit dialog without saving', async () => {
  await click(allByTestId('example-edit')[0]!);
  await type(byTestId<HTMLTextAreaElement>('editor-output')!, 'changed');
  byTestId('editor-dialog')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
  await settle();
  expect(byTestId('editor-dialog')).toBeNull();
  expect((await listExamples(db, { query: 'Summarise' }))[0]?.output).toBe('Short');
});

test('import previews good and bad lines; Cancel writes nothing, Confirm writes the good ones', async () => {
  const file = [
    '{"instruction":"New one","output":"yes"}',
    '{"instruction":"Broken"',
    '{"instruction":"No output","output":""}',
    '{"instruction":"Define cat","output":"A feline","tags":["animals"]}',
  ].join('\n');
  await chooseFile(file);
  expect(byTestId('toast-message')?.textContent ?? '').toBe('');
  expect(byTestId('import-good-count')?.dataset.count).toBe('2');
  expect(allByTestId('import-issue').map((li) => li.dataset.line)).toEqual(['2', '3']);
  expect(allByTestId('import-issue')[1]?.textContent).toBe('Line 3: "output" is empty');
  await click(byTestId('import-cancel'));
  expect(byTestId('import-preview')).toBeNull();
  expect(await countExamples(db)).toBe(3);

  await chooseFile(file);
  await click(byTestId('import-confirm'));
  expect(await countExamples(db)).toBe(4);
  expect(instructions()).toContain('New one');
  expect(byTestId('toast-message')?.textContent).toBe('Imported 1 examples; skipped 1 duplicates.');
});

test('tabs switch views with arrow keys and the Settings view saves the chip setting', async () => {
  // Settings is the last tab whatever views others register; ArrowLeft from the first wraps to it.
  expect(dashboardViews.at(-1)?.id).toBe('settings');
  expect(allByTestId('dashboard-tab-' + dashboardViews[0]!.id)).toHaveLength(1);
  const examplesTab = byTestId('dashboard-tab-examples')!;
  examplesTab.focus();
  examplesTab.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
  await settle();
  expect(byTestId('dashboard-tab-settings')?.getAttribute('aria-selected')).toBe('true');
  expect(document.activeElement).toBe(byTestId('dashboard-tab-settings'));
  const chip = byTestId<HTMLInputElement>('settings-chip')!;
  expect(chip.checked).toBe(true);
  await click(chip);
  expect((await db.get('settings', 'chipEnabled'))?.value).toBe(false);
  await choose(byTestId<HTMLSelectElement>('settings-language')!, 'zh_CN');
  expect(byTestId('dashboard-tab-examples')?.textContent).toBe('示例');
});
