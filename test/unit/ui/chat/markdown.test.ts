// @vitest-environment jsdom
// Answers are Markdown from a model: formatting is rendered, the model's own HTML never is.
import { expect, test } from 'vitest';
import { renderMarkdown } from '../../../../src/ui/chat/markdown';

function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

test('Markdown formatting becomes elements: emphasis, lists, code blocks as code', () => {
  const root = dom(renderMarkdown('Some **bold** and `x = 1`.\n\n- one\n- two\n\n```js\nconst a = 1;\n  indented();\n```'));
  expect(root.querySelector('strong')?.textContent).toBe('bold');
  expect(root.querySelector('p code')?.textContent).toBe('x = 1');
  expect([...root.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['one', 'two']);
  // A fenced block is a <pre><code>, its indentation kept.
  expect(root.querySelector('pre code')?.textContent).toBe('const a = 1;\n  indented();\n');
});

test('HTML written by the model is shown as text, never parsed', () => {
  const root = dom(renderMarkdown('Hi <img src=x onerror="alert(1)"> <script>alert(2)</script>\n\n<div onclick="x()">block</div>'));
  expect(root.querySelector('img, script, div')).toBeNull();
  expect(root.textContent).toContain('<img src=x onerror="alert(1)">');
  expect(root.textContent).toContain('<script>alert(2)</script>');
  expect(root.textContent).toContain('<div onclick="x()">block</div>');
});

test('links open outside the panel; javascript: links lose their target; images become their alt text', () => {
  const root = dom(
    renderMarkdown('[docs](https://example.com/a) [bad](javascript:alert(1)) ![a cat](https://example.com/cat.png)'),
  );
  const links = [...root.querySelectorAll('a')];
  expect(links[0]?.getAttribute('href')).toBe('https://example.com/a');
  expect(links[0]?.getAttribute('target')).toBe('_blank');
  expect(links[0]?.getAttribute('rel')).toBe('noopener noreferrer');
  expect(links.some((a) => (a.getAttribute('href') ?? '').startsWith('javascript:'))).toBe(false);
  expect(root.querySelector('img')).toBeNull();
  expect(root.textContent).toContain('a cat');
});

test('line breaks inside a paragraph are kept (answers are written line by line)', () => {
  const root = dom(renderMarkdown('first line\nsecond line'));
  expect(root.querySelectorAll('br')).toHaveLength(1);
});
