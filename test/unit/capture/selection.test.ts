// @vitest-environment jsdom
import { afterEach, expect, test } from 'vitest';
import { isEditable, paragraphAround, readSelection } from '../../../src/capture/selection';

afterEach(() => {
  document.body.innerHTML = '';
  document.getSelection()?.removeAllRanges();
});

function selectText(node: Node, start: number, end: number): Range {
  const range = document.createRange();
  range.setStart(node, start);
  range.setEnd(node, end);
  const selection = document.getSelection()!;
  selection.removeAllRanges();
  selection.addRange(range);
  return range;
}

test('readSelection returns the cleaned selection and the paragraph around it', () => {
  document.body.innerHTML = '<article><p id="p">The quick   brown fox jumps over the lazy dog.</p><p>Other.</p></article>';
  const text = document.getElementById('p')!.firstChild!;
  selectText(text, 4, 18);
  expect(readSelection(document)).toEqual({
    text: 'quick brown',
    paragraph: 'The quick brown fox jumps over the lazy dog.',
  });
});

test('the paragraph of a selection spanning two list items is their common list', () => {
  document.body.innerHTML = '<ul id="list"><li>First item</li><li>Second item</li></ul>';
  const items = document.querySelectorAll('li');
  const range = document.createRange();
  range.setStart(items[0]!.firstChild!, 6);
  range.setEnd(items[1]!.firstChild!, 6);
  expect(paragraphAround(range)).toBe('- First item\n- Second item');
});

test('readSelection ignores collapsed, whitespace-only and editable selections', () => {
  document.body.innerHTML = '<p id="p">text   here</p><div contenteditable="true" id="e">my own draft</div>';
  const p = document.getElementById('p')!.firstChild!;
  selectText(p, 2, 2);
  expect(readSelection(document)).toBeNull();
  selectText(p, 4, 7);
  expect(readSelection(document)).toBeNull();
  selectText(document.getElementById('e')!.firstChild!, 0, 6);
  expect(readSelection(document)).toBeNull();
  expect(isEditable(document.getElementById('e')!.firstChild)).toBe(true);
  expect(isEditable(p)).toBe(false);
});
