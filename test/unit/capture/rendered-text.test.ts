// @vitest-environment jsdom
// The selection as rendered text with its structure (src/capture/rendered-text.ts), under jsdom:
// no layout here, so only what the markup itself hides is left out (the live-page checks of CSS
// visibility are covered in Chromium by test/e2e/capture-fidelity.test.ts).
import { afterEach, expect, test } from 'vitest';
import { renderedText, renderedTextOf, tidyMarkdown } from '../../../src/capture/rendered-text';
import { chipLeft, readSelection } from '../../../src/capture/selection';
import { prefillFor } from '../../../src/capture/prefill';

afterEach(() => {
  document.body.innerHTML = '';
  document.getSelection()?.removeAllRanges();
});

function byId(id: string): HTMLElement {
  return document.getElementById(id)!;
}

/** A range from `from` to the end of `to` in the element's source text (phrases in one text node each). */
function rangeBetween(element: Element, from: string, to: string): Range {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let started = false;
  for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
    if (!started && node.data.includes(from)) {
      range.setStart(node, node.data.indexOf(from));
      started = true;
    }
    if (started && node.data.includes(to)) {
      range.setEnd(node, node.data.indexOf(to) + to.length);
      return range;
    }
  }
  throw new Error(`no range from "${from}" to "${to}"`);
}

test('hard-wrapped source lines read as the browser renders them; the paragraph is found around the sentence', () => {
  document.body.innerHTML = `<article><p id="p">The first sentence is short.
      The second one crosses a line
      break of the source, with <em>emphasis</em> and a <a href="#x">link</a>.</p></article>`;
  const range = rangeBetween(byId('p'), 'The second', 'ink'); // ends inside the link
  const selection = document.getSelection()!;
  selection.removeAllRanges();
  selection.addRange(rangeBetween(byId('p'), 'The second', 'source,'));
  expect(readSelection(document)).toEqual({
    text: 'The second one crosses a line break of the source,',
    paragraph:
      'The first sentence is short. The second one crosses a line break of the source, with emphasis and a link.',
  });
  expect(prefillFor('output', readSelection(document)).input).toBe(
    'The first sentence is short. The second one crosses a line break of the source, with emphasis and a link.',
  );
  expect(renderedText(range)).toBe(
    'The second one crosses a line break of the source, with emphasis and a link',
  );
});

test('Markdown characters in prose are kept as written, not escaped', () => {
  document.body.innerHTML = '<p id="p">Set snake_case_name to *all* and list 1. first [x] #tag</p>';
  expect(renderedTextOf(byId('p'))).toBe('Set snake_case_name to *all* and list 1. first [x] #tag');
});

test('a code block: verbatim inside it, fenced with its language beside prose; a longer fence when the code has backticks', () => {
  document.body.innerHTML = `<div id="d"><p>Run:</p><pre class="language-sh"><code>make \\
    all</code></pre><pre id="md"><code>use \`\`\`js fences</code></pre></div>`;
  expect(renderedTextOf(byId('d').querySelector('code')!)).toBe('make \\\n    all');
  expect(renderedTextOf(byId('d'))).toBe(
    'Run:\n\n```sh\nmake \\\n    all\n```\n\n````\nuse ```js fences\n````',
  );
});

test('tables become Markdown rows; partial selections keep the header; pipes are escaped; short rows padded', () => {
  document.body.innerHTML = `<table id="t"><caption>Limits</caption>
    <thead><tr><th>Name</th><th>Value</th></tr></thead>
    <tbody><tr><td>a|b</td><td>1</td></tr><tr id="r2"><td>c</td><td>2
      lines</td></tr><tr id="r3"><td>only</td></tr></tbody></table>`;
  expect(renderedTextOf(byId('t'))).toBe(
    'Limits\n\n| Name | Value |\n| --- | --- |\n| a\\|b | 1 |\n| c | 2 lines |\n| only |     |',
  );
  const range = document.createRange();
  range.setStart(byId('r2').firstChild!, 0);
  range.setEnd(byId('r3').firstChild!.firstChild!, 4);
  expect(renderedText(range)).toBe('| Name | Value |\n| --- | --- |\n| c | 2 lines |\n| only |     |');
});

test('a table without a header row uses its first row as the header', () => {
  document.body.innerHTML =
    '<table id="t"><tr><td>x</td><td>y</td></tr><tr><td>1</td><td>2</td></tr></table>';
  expect(renderedTextOf(byId('t'))).toBe('| x | y |\n| --- | --- |\n| 1 | 2 |');
});

test('lists keep numbers (from start, and from where the selection begins), bullets and nesting', () => {
  document.body.innerHTML = `<ol id="o" start="4"><li>four</li><li>five
      <ul><li>inner a</li><li>inner b</li></ul></li><li id="six">six</li></ol>`;
  expect(renderedTextOf(byId('o'))).toBe('4. four\n5. five\n   - inner a\n   - inner b\n6. six');
  const range = rangeBetween(byId('o'), 'inner b', 'six');
  expect(renderedText(range)).toBe('5. - inner b\n6. six');
});

test('scripts, styles, controls and hidden elements are left out; images too', () => {
  document.body.innerHTML = `<div id="d"><p>Shown<span hidden> hidden</span>.</p><script>var x = 1;</script>
    <style>p { color: red }</style><button>Copy</button><noscript>Enable JS</noscript><img alt="a chart" src="x.png"><p>End.</p></div>`;
  expect(renderedTextOf(byId('d'))).toBe('Shown.\n\nEnd.');
});

test('headings and quotes are marked; a selection inside one heading or quote is plain text', () => {
  document.body.innerHTML =
    '<div id="d"><h2 id="h">Title</h2><blockquote id="q"><p>Said so.</p></blockquote></div>';
  expect(renderedTextOf(byId('d'))).toBe('## Title\n\n> Said so.');
  expect(renderedTextOf(byId('h'))).toBe('Title');
  expect(renderedTextOf(byId('q'))).toBe('Said so.');
});

test('tidyMarkdown: invisible characters out, no-break spaces as spaces, blank runs collapsed outside code only', () => {
  expect(tidyMarkdown('a\u00A0b\u200B  \n\n\n\nc\n```\nx  \n\n\n\ny\n```\n\n\nz')).toBe(
    'a b\n\nc\n```\nx  \n\n\n\ny\n```\n\nz',
  );
});

test('chipLeft keeps the chip inside the visible width', () => {
  const bounds = { left: 0, right: 1000 };
  expect(chipLeft(300, 100, bounds)).toBe(300);
  expect(chipLeft(990, 100, bounds)).toBe(892); // 1000 − 100 − 8
  expect(chipLeft(-20, 100, bounds)).toBe(8);
  expect(chipLeft(2990, 100, { left: 2000, right: 3000 })).toBe(2892); // scrolled page coordinates
});
