// A selection as the person saw it: the text the browser renders (whitespace collapsed the way
// layout collapses it, not the HTML source's line breaks), with the page's structure written as
// Markdown through turndown: code blocks verbatim and fenced, tables as rows with a header
// separator, lists with their numbers, bullets and nesting, headings and quotes marked. Inline
// formatting (links, emphasis, inline code) stays plain text: a training example wants the words.
//
// Only what is shown is kept: elements the page hides (display: none, visibility: hidden, the
// hidden attribute), screen-reader-only text clipped to a pixel, scripts, styles and controls
// (a code block's "Copy" button) are left out. Works on any Document: the live page (with
// layout, so visibility can be checked), a parsed one (DOMParser, no layout) or jsdom.

import TurndownService from 'turndown';

const INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF]/g;
const NBSP = /[\u00A0\u202F]/g;

/** Never part of what a person reads on the page. */
const NEVER_TEXT = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'button',
  'select',
  'textarea',
  'input',
  'option',
  'iframe',
  'object',
  'embed',
  'canvas',
  'svg',
  'math',
  'video',
  'audio',
  'head',
  'link',
  'meta',
]);

/** Rendered as plain text: the words count, not the markup around them. */
const PLAIN_INLINE = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'cite',
  'code',
  'data',
  'del',
  'dfn',
  'em',
  'i',
  'ins',
  'kbd',
  'mark',
  'q',
  'rp',
  'rt',
  'ruby',
  's',
  'samp',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'time',
  'tt',
  'u',
  'var',
  'font',
]);

/** Containers whose children need them to mean anything (a row needs its table, an item its list). */
const TABLE_PARTS = new Set(['tr', 'thead', 'tbody', 'tfoot']);
const LISTS = new Set(['ol', 'ul']);

function elementOf(node: Node): Element | null {
  return node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
}

/** True where the document has layout (the live page); parsed documents and jsdom have none. */
function hasLayout(element: Element): boolean {
  return element.ownerDocument.defaultView !== null && typeof element.checkVisibility === 'function';
}

/** Whether the person can see this element's text. */
function isShown(element: Element): boolean {
  if (NEVER_TEXT.has(element.localName)) return false;
  if (element.hasAttribute('hidden')) return false;
  if (!hasLayout(element)) return true;
  const style = element.ownerDocument.defaultView!.getComputedStyle(element);
  // `display: contents` has no box of its own, so checkVisibility says false, yet its children
  // render (frameworks wrap whole articles in such elements): they are judged one by one.
  if (style.display === 'contents') return true;
  if (!element.checkVisibility({ visibilityProperty: true })) return false;
  // Screen-reader-only text ("visually hidden"): clipped to at most one pixel.
  const box = element.getBoundingClientRect();
  if (box.width <= 1 && box.height <= 1) {
    if (style.overflow === 'hidden' || style.clip.startsWith('rect') || style.clipPath.startsWith('inset'))
      return false;
  }
  return true;
}

/** The row that names a table's columns, when it has one (a thead row, or a first row of th cells). */
function headerRow(table: HTMLTableElement): HTMLTableRowElement | null {
  const first = table.tHead?.rows[0] ?? table.rows[0];
  if (!first) return null;
  if (first.parentElement?.localName === 'thead') return first;
  return [...first.cells].every((cell) => cell.localName === 'th') ? first : null;
}

/** A partly selected table keeps its column names: the header row is added when not selected. */
function keepHeader(original: HTMLTableElement, copy: Element, range: Range): void {
  const header = headerRow(original);
  if (!header || range.intersectsNode(header)) return;
  const head = original.ownerDocument.createElement('thead');
  head.append(header.cloneNode(true));
  copy.prepend(head);
}

/** A shallow copy of `element` holding copies of its selected, shown descendants. */
function cloneSelected(node: Node, range: Range): Node | null {
  if (node.nodeType === Node.TEXT_NODE || node.nodeType === Node.CDATA_SECTION_NODE) {
    const data = (node as CharacterData).data;
    const start = node === range.startContainer ? range.startOffset : 0;
    const end = node === range.endContainer ? range.endOffset : data.length;
    return end > start ? node.ownerDocument!.createTextNode(data.slice(start, end)) : null;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const element = node as Element;
  if (!isShown(element)) return null;
  const copy = element.cloneNode(false) as Element;
  for (const child of element.childNodes) {
    if (!range.intersectsNode(child)) continue;
    const childCopy = cloneSelected(child, range);
    if (childCopy) copy.append(childCopy);
  }
  if (element.localName === 'ol') {
    // A selection starting at the third item still says "3.".
    const items = [...element.children].filter((child) => child.localName === 'li');
    const first = items.findIndex((item) => range.intersectsNode(item));
    const start = Number(element.getAttribute('start') ?? '1');
    if (first > 0 && Number.isFinite(start)) copy.setAttribute('start', String(start + first));
  }
  if (element.localName === 'table') keepHeader(element as HTMLTableElement, copy, range);
  return copy;
}

/**
 * The selected part of the document under one wrapper element, ready for turndown: the common
 * ancestor's own element is kept only when its children need it (rows need their table, items
 * their list); otherwise, as for a paragraph or a cell, its selected contents stand alone.
 */
function selectedTree(range: Range): HTMLElement {
  const doc = range.commonAncestorContainer.ownerDocument ?? (range.commonAncestorContainer as Document);
  const wrapper = doc.createElement('div');
  const root = range.commonAncestorContainer;
  const rootElement = elementOf(root);
  if (rootElement && !isShown(rootElement)) return wrapper;
  const copy = cloneSelected(root, range);
  if (!copy) return wrapper;
  const name = root.nodeType === Node.ELEMENT_NODE ? (root as Element).localName : '';
  if (LISTS.has(name) || name === 'table') {
    wrapper.append(copy);
  } else if (TABLE_PARTS.has(name)) {
    // Rows without their table would be loose cells: rebuild the table around them.
    let outer: Node = copy;
    let ancestor: Element | null = (root as Element).parentElement;
    while (ancestor && ancestor.localName !== 'table') {
      const shell = ancestor.cloneNode(false);
      shell.appendChild(outer);
      outer = shell;
      ancestor = ancestor.parentElement;
    }
    if (ancestor) {
      const table = ancestor.cloneNode(false) as Element;
      table.appendChild(outer);
      keepHeader(ancestor as HTMLTableElement, table, range);
      outer = table;
    }
    wrapper.append(outer);
  } else {
    wrapper.append(...copy.childNodes);
    if (copy.nodeType === Node.TEXT_NODE) wrapper.append(copy);
  }
  return wrapper;
}

/** The longest run of backticks in `text`, so a fence can be one longer. */
function longestBacktickRun(text: string): number {
  return Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
}

function codeLanguage(pre: Element): string {
  const classes = `${pre.getAttribute('class') ?? ''} ${pre.querySelector('code')?.getAttribute('class') ?? ''}`;
  return /(?:^|\s)(?:lang|language)-([\w+#.-]+)/.exec(classes)?.[1] ?? '';
}

/** A cell's text on one line, with pipes escaped so they do not split the column. */
function cellText(content: string): string {
  return content
    .replace(/\s*\n+\s*/g, ' ')
    .trim()
    .replace(/\|/g, '\\|');
}

function columnCount(table: Element): number {
  return Math.max(0, ...[...table.querySelectorAll('tr')].map((row) => row.children.length));
}

function enclosingTable(node: Element): Element | null {
  return node.closest('table');
}

function createConverter(): TurndownService {
  const service = new TurndownService({
    headingStyle: 'atx',
    hr: '---',
    bulletListMarker: '-',
    codeBlockStyle: 'fenced',
    br: '',
  });
  // Captured text is the words people read, not Markdown source to be rendered later: an
  // underscore in snake_case or a "1." at the start of a line stays as it is.
  service.escape = (text: string) => text;
  service.remove((node) => NEVER_TEXT.has(node.localName));
  service.addRule('plainInline', {
    filter: (node) => PLAIN_INLINE.has(node.localName),
    replacement: (content) => content,
  });
  service.addRule('image', { filter: ['img', 'picture'], replacement: () => '' });
  service.addRule('preformatted', {
    filter: 'pre',
    replacement: (_content, node) => {
      const code = (node.textContent ?? '').replace(/\n+$/, '');
      const fence = '`'.repeat(Math.max(3, longestBacktickRun(code) + 1));
      return `\n\n${fence}${codeLanguage(node as Element)}\n${code}\n${fence}\n\n`;
    },
  });
  service.addRule('listItem', {
    filter: 'li',
    replacement: (content, node) => {
      const list = node.parentNode as Element | null;
      let marker = '-';
      if (list?.nodeName === 'OL') {
        const start = Number(list.getAttribute('start') ?? '1');
        const index = [...list.children].indexOf(node as Element);
        marker = `${(Number.isFinite(start) ? start : 1) + index}.`;
      }
      const indent = ' '.repeat(marker.length + 1);
      const loose = /\n$/.test(content);
      const body = content.replace(/^\n+/, '').replace(/\n+$/, '') + (loose ? '\n' : '');
      return `${marker} ${body.replace(/\n/g, `\n${indent}`)}${node.nextSibling ? '\n' : ''}`;
    },
  });
  service.addRule('tableCaption', {
    filter: 'caption',
    replacement: (content) => `${cellText(content)}\n\n`,
  });
  service.addRule('tableColumns', { filter: ['colgroup', 'col'], replacement: () => '' });
  service.addRule('tableCell', { filter: ['td', 'th'], replacement: (content) => ` ${cellText(content)} |` });
  service.addRule('tableRow', {
    filter: 'tr',
    replacement: (content, node) => {
      const table = enclosingTable(node as Element);
      const missing = table ? columnCount(table) - (node as Element).children.length : 0;
      return `\n|${content}${'     |'.repeat(Math.max(0, missing))}\n`;
    },
  });
  service.addRule('tableSection', { filter: ['thead', 'tbody', 'tfoot'], replacement: (content) => content });
  service.addRule('table', {
    filter: 'table',
    replacement: (content, node) => {
      const rows = content.split('\n').filter((line) => line.trim() !== '');
      const captionLines = rows.findIndex((line) => line.startsWith('|'));
      const caption = captionLines > 0 ? `${rows.slice(0, captionLines).join('\n')}\n\n` : '';
      const body = rows.slice(Math.max(0, captionLines));
      if (body.length === 0) return '';
      // Markdown tables need a header row: the first row plays it (the header row when the table has one).
      const separator = `|${' --- |'.repeat(columnCount(node as Element))}`;
      return `\n\n${caption}${[body[0], separator, ...body.slice(1)].join('\n')}\n\n`;
    },
  });
  return service;
}

let converter: TurndownService | null = null;

/**
 * Tidies converted text: invisible characters out, non-breaking spaces as spaces, trailing
 * spaces and runs of blank lines gone outside code blocks; code block lines stay as they are.
 */
export function tidyMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').replace(INVISIBLE, '').split('\n');
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of lines) {
    const opening = /^(`{3,})/.exec(line)?.[1];
    if (fence === null) {
      const tidy = line.replace(NBSP, ' ').trimEnd();
      if (tidy === '' && out.at(-1) === '') continue;
      out.push(tidy);
      if (opening) fence = opening;
    } else {
      out.push(line);
      if (opening && line.trim() === fence) fence = null;
    }
  }
  return out.join('\n').trim();
}

/** Code selected inside one code block: exactly its characters, indentation and all. */
function verbatim(range: Range): string {
  return range.toString().replace(INVISIBLE, '').replace(/^\n+/, '').trimEnd();
}

/** The selected text as rendered, with its structure as Markdown (see the top of this file). */
export function renderedText(range: Range): string {
  const inCode = elementOf(range.commonAncestorContainer)?.closest('pre');
  if (inCode) return verbatim(range);
  converter ??= createConverter();
  return tidyMarkdown(converter.turndown(selectedTree(range)));
}

/** All of `element`'s rendered text with its structure, as `renderedText` gives a selection. */
export function renderedTextOf(element: Element): string {
  const range = element.ownerDocument.createRange();
  range.selectNodeContents(element);
  return renderedText(range);
}
