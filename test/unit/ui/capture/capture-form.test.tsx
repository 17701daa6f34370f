// @vitest-environment jsdom
// The capture form as a person meets it: labels, keyboard, notices, and captured text shown as
// text (never parsed as HTML, never executed).
import { afterEach, beforeEach, expect, test } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import type { SaveOutcome } from '../../../../src/capture/api';
import { CaptureForm, type CaptureFormProps } from '../../../../src/ui/capture/CaptureForm';
import { prefillFor } from '../../../../src/capture/prefill';
import { mergeTemplates } from '../../../../src/capture/templates';
import type { ExampleSavePayload } from '../../../../src/messaging/protocol';

const XSS_IMG = '<img src=x onerror="window.__attuneXss = 1">';
const XSS_SCRIPT = '<script>window.__attuneXss = 2</script>';

let container: HTMLElement;
let saved: ExampleSavePayload[];
let closed: number;
let savedTemplates: { name: string; instruction: string; urlPattern: string }[];

beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  saved = [];
  closed = 0;
  savedTemplates = [];
});
afterEach(() => {
  render(null, container);
  container.remove();
  delete (window as { __attuneXss?: number }).__attuneXss;
});

async function mount(overrides: Partial<CaptureFormProps> = {}, outcome: SaveOutcome = { kind: 'saved', count: 3 }) {
  const props: CaptureFormProps = {
    prefill: prefillFor('output', { text: 'Foxes are quick.', paragraph: 'In short: Foxes are quick. Dogs are lazy.' }),
    templates: mergeTemplates([]),
    source: { url: 'https://news.example/foxes', title: 'All about foxes' },
    onSave: async (payload) => {
      saved.push(payload);
      return outcome;
    },
    onSaveTemplate: async (name, instruction, urlPattern) => {
      savedTemplates.push({ name, instruction, urlPattern });
      return { id: 'u1', name, instruction, urlPattern };
    },
    onClose: () => {
      closed += 1;
    },
    ...overrides,
  };
  await act(async () => render(<CaptureForm {...props} />, container));
}

const byTestId = <T extends HTMLElement>(id: string): T => {
  const element = container.querySelector<T>(`[data-testid="${id}"]`);
  if (!element) throw new Error(`no element with data-testid="${id}"`);
  return element;
};

async function type(id: string, value: string): Promise<void> {
  const field = byTestId<HTMLInputElement | HTMLTextAreaElement>(id);
  await act(async () => {
    field.value = value;
    field.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function clickSave(): Promise<void> {
  await act(async () => byTestId('capture-save').click());
}

test('every field has a label, and the form is prefilled from the selection and its paragraph', async () => {
  await mount();
  for (const control of container.querySelectorAll('textarea, input, select')) {
    expect(container.querySelector(`label[for="${control.id}"]`), control.id).not.toBeNull();
  }
  expect(byTestId<HTMLTextAreaElement>('capture-output').value).toBe('Foxes are quick.');
  expect(byTestId<HTMLTextAreaElement>('capture-input').value).toBe('In short: Foxes are quick. Dogs are lazy.');
  expect(byTestId('capture-source-title').textContent).toBe('All about foxes');
  expect(byTestId('capture-source-url').textContent).toBe('https://news.example/foxes');
  expect(container.querySelector('[role="dialog"][aria-modal="true"]')).not.toBeNull();
});

test('saving sends the edited fields, parsed tags and the source, then shows the count', async () => {
  await mount();
  await type('capture-instruction', 'Say it shorter.');
  await type('capture-tags', 'animals, short');
  await clickSave();
  expect(saved).toEqual([
    {
      instruction: 'Say it shorter.',
      input: 'In short: Foxes are quick. Dogs are lazy.',
      output: 'Foxes are quick.',
      tags: ['animals', 'short'],
      sourceUrl: 'https://news.example/foxes',
      sourceTitle: 'All about foxes',
    },
  ]);
  expect(byTestId('capture-status').textContent).toBe('Saved. You now have 3 examples.');
});

test('picking a template replaces the instruction with that template text', async () => {
  await mount();
  const select = byTestId<HTMLSelectElement>('capture-template');
  const translate = [...select.options].find((option) => option.textContent === 'Translate')!;
  await act(async () => {
    select.value = translate.value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  expect(byTestId<HTMLTextAreaElement>('capture-instruction').value).toBe('Translate the following text into English.');
});

test('an empty output is refused with a visible message and nothing is sent', async () => {
  await mount({ prefill: prefillFor('input', { text: 'A question?', paragraph: '' }) });
  await clickSave();
  expect(saved).toEqual([]);
  expect(byTestId('capture-error').textContent).toMatch(/output is empty/i);
  expect(byTestId('capture-error').getAttribute('role')).toBe('alert');
});

test('a duplicate is reported as already saved', async () => {
  await mount({}, { kind: 'duplicate' });
  await clickSave();
  expect(byTestId('capture-error').textContent).toBe('Already saved: an identical example exists.');
});

test('an over-cap selection shows a truncation notice with the original length', async () => {
  const huge = 'y'.repeat(25_000);
  await mount({ prefill: prefillFor('output', { text: huge, paragraph: '' }) });
  expect(byTestId<HTMLTextAreaElement>('capture-output').value.length).toBe(20_000);
  expect(byTestId('capture-truncated').textContent).toContain('25,000');
});

test('a saved template joins the list and becomes the selected one', async () => {
  await mount();
  await type('capture-instruction', 'Write it as a haiku.');
  await act(async () => byTestId('capture-template-save').click());
  await type('capture-template-name', 'Haiku');
  await act(async () => byTestId('capture-template-confirm').click());
  const select = byTestId<HTMLSelectElement>('capture-template');
  expect(select.value).toBe('u1');
  expect(select.selectedOptions[0]?.textContent).toBe('Haiku');
  expect(byTestId('capture-status').textContent).toContain('Haiku');
  expect(savedTemplates).toEqual([{ name: 'Haiku', instruction: 'Write it as a haiku.', urlPattern: '' }]);
});

test('a template saved "for this site" carries the host and is preselected there next time', async () => {
  await mount();
  await type('capture-instruction', 'Pull out the numbers.');
  await act(async () => byTestId('capture-template-save').click());
  await type('capture-template-name', 'Numbers');
  await act(async () => byTestId<HTMLInputElement>('capture-template-site').click());
  await act(async () => byTestId('capture-template-confirm').click());
  expect(savedTemplates).toEqual([{ name: 'Numbers', instruction: 'Pull out the numbers.', urlPattern: 'news.example' }]);
  render(null, container);
  await mount({ templates: mergeTemplates([{ id: 'u1', name: 'Numbers', instruction: 'Pull out the numbers.', urlPattern: 'news.example' }]) });
  expect(byTestId<HTMLSelectElement>('capture-template').value).toBe('u1');
  expect(byTestId<HTMLTextAreaElement>('capture-instruction').value).toBe('Pull out the numbers.');
});

test('Escape and Cancel close the form; Tab wraps focus inside the dialog', async () => {
  await mount();
  const dialog = byTestId('capture-form');
  const save = byTestId('capture-save');
  save.focus();
  const tab = new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true });
  await act(async () => void save.dispatchEvent(tab));
  expect(tab.defaultPrevented).toBe(true);
  expect(document.activeElement).toBe(byTestId('capture-template'));
  const shiftTab = new KeyboardEvent('keydown', { key: 'Tab', shiftKey: true, bubbles: true, cancelable: true });
  await act(async () => void byTestId("capture-template").dispatchEvent(shiftTab));
  expect(document.activeElement).toBe(save);
  await act(async () => void dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })));
  expect(closed).toBe(1);
  await act(async () => byTestId('capture-cancel').click());
  expect(closed).toBe(2);
});

test('HTML and script in captured text are shown literally and never executed', async () => {
  (window as { __attuneXss?: unknown }).__attuneXss = undefined;
  const payload = `${XSS_IMG} and ${XSS_SCRIPT}`;
  await mount({
    prefill: prefillFor('output', { text: payload, paragraph: `Context: ${payload}` }),
    source: { url: 'https://evil.example/?q=<script>', title: XSS_SCRIPT },
    templates: mergeTemplates([{ id: 'u9', name: XSS_IMG, instruction: XSS_SCRIPT, urlPattern: '' }]),
  });
  // jsdom loads no images, so an injected onerror could never fire here, however long the test
  // waited: the payload is inert because no img or script element exists at all. The real
  // browser's check is the e2e XSS test.
  expect(container.querySelector('img, script')).toBeNull();
  expect(byTestId<HTMLTextAreaElement>('capture-output').value).toBe(payload);
  expect(byTestId<HTMLTextAreaElement>('capture-input').value).toBe(`Context: ${payload}`);
  expect(byTestId('capture-source-title').textContent).toBe(XSS_SCRIPT);
  expect([...byTestId<HTMLSelectElement>('capture-template').options].at(-1)?.textContent).toBe(XSS_IMG);
  expect((window as { __attuneXss?: unknown }).__attuneXss).toBeUndefined();
  await clickSave();
  expect(saved[0]?.output).toBe(payload);
});

test('a prefilled instruction (the chat’s Edit & save) comes first in the template list and is saved as edited', async () => {
  await mount({
    instruction: 'Tell me about the ocean.',
    prefill: { input: '', output: 'The ocean is *big*.', truncated: [] },
    source: { url: '', title: 'Assistant chat' },
  });
  const select = byTestId<HTMLSelectElement>('capture-template');
  expect(select.options[0]!.textContent).toBe('The question asked');
  expect(select.value).toBe(select.options[0]!.value);
  expect(byTestId<HTMLTextAreaElement>('capture-instruction').value).toBe('Tell me about the ocean.');
  // No address: the source line names the chat without a dangling dash.
  expect(byTestId('capture-source').textContent).toBe('Source: Assistant chat');
  await type('capture-output', 'The ocean covers most of the Earth.');
  await clickSave();
  expect(saved).toEqual([
    expect.objectContaining({ instruction: 'Tell me about the ocean.', output: 'The ocean covers most of the Earth.', sourceUrl: '' }),
  ]);
  // Choosing a template replaces it; choosing the first entry again brings the question back.
  await act(async () => {
    select.value = select.options[1]!.value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  expect(byTestId<HTMLTextAreaElement>('capture-instruction').value).not.toBe('Tell me about the ocean.');
  await act(async () => {
    select.value = select.options[0]!.value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  expect(byTestId<HTMLTextAreaElement>('capture-instruction').value).toBe('Tell me about the ocean.');
});
