// Reading what the person selected and the paragraph around it. Works on any Document (the live
// page in the content script, jsdom in tests).

import { cleanText } from './clean';

/** Elements whose text forms one paragraph-like unit. */
const BLOCK_SELECTOR = 'p, li, blockquote, pre, td, th, dd, dt, figcaption, h1, h2, h3, h4, h5, h6, article, section, main, div';

export interface CapturedSelection {
  /** The selected text, cleaned. */
  text: string;
  /** The text of the smallest block around the selection, cleaned ('' when none). */
  paragraph: string;
}

/** The element a node belongs to (text nodes report their parent). */
function elementOf(node: Node | null): Element | null {
  if (!node) return null;
  return node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
}

/** True inside inputs, textareas and contenteditable regions: those hold the person's own typing. */
export function isEditable(node: Node | null): boolean {
  const element = elementOf(node);
  if (!element) return false;
  if (element.closest('input, textarea, select')) return true;
  return element.closest('[contenteditable=""], [contenteditable="true"], [contenteditable="plaintext-only"]') !== null;
}

/** The text of the smallest block element containing the whole selection. */
export function paragraphAround(range: Range): string {
  const container = elementOf(range.commonAncestorContainer);
  const block = container?.closest(BLOCK_SELECTOR) ?? container;
  if (!block || block === block.ownerDocument.body) return '';
  return cleanText(block.textContent ?? '');
}

/** Reads the current selection; null when nothing (or only whitespace, or an editable field) is selected. */
export function readSelection(doc: Document): CapturedSelection | null {
  const selection = doc.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (isEditable(range.commonAncestorContainer)) return null;
  const text = cleanText(selection.toString());
  if (!text) return null;
  return { text, paragraph: paragraphAround(range) };
}

/** Where to put the chip: just below the end of the selection, in page coordinates. */
export function chipAnchor(range: Range, view: Window): { x: number; y: number } {
  const rects = range.getClientRects();
  const last = rects.length > 0 ? rects[rects.length - 1] : range.getBoundingClientRect();
  const box = last ?? { right: 0, bottom: 0 };
  return { x: box.right + view.scrollX, y: box.bottom + view.scrollY + 6 };
}
