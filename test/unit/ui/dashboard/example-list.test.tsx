// @vitest-environment jsdom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, expect, test } from 'vitest';
import '../../../../src/i18n/dashboard';
import type { Example } from '../../../../src/dataset/example';
import { ExampleList } from '../../../../src/ui/dashboard/examples/ExampleList';

const IMG = '<img src=x onerror="window.__pwned=1">';
const SCRIPT = '<script>window.__pwned=2</script>';

const hostile: Example = {
  id: 'e1',
  instruction: IMG,
  input: SCRIPT,
  output: `<b>bold?</b> ${IMG}`,
  tags: ['<i>tag</i>'],
  sourceUrl: 'javascript:alert(1)',
  sourceTitle: '<a href="javascript:alert(2)">title</a>',
  createdAt: 0,
  updatedAt: 0,
};

let container: HTMLElement;
afterEach(() => {
  render(null, container);
  container.remove();
});

function renderList(examples: Example[]) {
  container = document.createElement('div');
  document.body.append(container);
  act(() => {
    render(
      <ExampleList examples={examples} selected={new Set()} onToggle={() => {}} onEdit={() => {}} onDelete={() => {}} />,
      container,
    );
  });
}

test('captured HTML and script payloads render as literal text, never as elements', () => {
  renderList([hostile]);
  expect(container.querySelector('img, script, b, i')).toBeNull();
  // The only links are none: a javascript: source is shown as text, not made clickable.
  expect(container.querySelector('a')).toBeNull();
  const text = (id: string) => container.querySelector(`[data-testid="${id}"]`)?.textContent;
  expect(text('example-instruction')).toBe(IMG);
  expect(text('example-input')).toBe(SCRIPT);
  expect(text('example-output')).toBe(`<b>bold?</b> ${IMG}`);
  expect(text('example-tags')).toBe('<i>tag</i>');
  expect(text('example-source')).toBe(hostile.sourceTitle);
  expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
});

test('http(s) sources become links that open safely in a new tab', () => {
  renderList([{ ...hostile, sourceUrl: 'https://example.org/page', sourceTitle: 'A page' }]);
  const link = container.querySelector('a');
  expect(link?.getAttribute('href')).toBe('https://example.org/page');
  expect(link?.getAttribute('rel')).toBe('noopener noreferrer');
  expect(link?.textContent).toBe('A page');
});

test('no dashboard source sets HTML from strings', async () => {
  const { readdir, readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const roots = ['src/ui/dashboard', 'entrypoints/dashboard'];
  const offenders: string[] = [];
  for (const root of roots) {
    for (const entry of await readdir(root, { recursive: true })) {
      if (!/\.(tsx?|html)$/.test(entry)) continue;
      const source = await readFile(join(root, entry), 'utf8');
      if (/dangerouslySetInnerHTML|\.innerHTML\s*=|insertAdjacentHTML|document\.write/.test(source)) {
        offenders.push(join(root, entry));
      }
    }
  }
  expect(offenders).toEqual([]);
});
