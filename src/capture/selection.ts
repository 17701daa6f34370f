// Reading what the person selected and the paragraph around it. Works on any Document (the live
// page in the content script, jsdom in tests).

import { cleanText } from './clean';
import { renderedText, renderedTextOf } from './rendered-text';

/** Elements whose text forms one paragraph-like unit. */
const BLOCK_SELECTOR = 'p, li, blockquote, pre, td, th, dd, dt, figcaption, h1, h2, h3, h4, h5, h6, article, section, main, div';

export interface CapturedSelection {
  /** The selected text as rendered, its structure (code, tables, lists) as Markdown. */
  text: string;
  /** The same for the smallest block around the selection ('' when none). */
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

/**
 * The rendered text of the smallest block element containing the whole selection, read the same
 * way as the selection itself so that the one can be found inside the other.
 */
export function paragraphAround(range: Range): string {
  const container = elementOf(range.commonAncestorContainer);
  const block = container?.closest(BLOCK_SELECTOR) ?? container;
  if (!block || block === block.ownerDocument.body) return '';
  return renderedTextOf(block);
}

/**
 * The current selection's range when it holds text a person could capture; null when nothing
 * (or only whitespace, or an editable field) is selected. Cheap enough for every mouseup: the
 * structured reading (`readRange`) waits until a capture is actually asked for.
 */
export function capturableRange(doc: Document): Range | null {
  const selection = doc.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (isEditable(range.commonAncestorContainer)) return null;
  return selection.toString().trim() === '' ? null : range;
}

/**
 * What `range` captures. `plainText` (the browser's own text of the selection) stands in where
 * nothing rendered could be rebuilt (a selection inside a page's shadow DOM, for one).
 */
export function readRange(range: Range, plainText: string): CapturedSelection | null {
  const text = renderedText(range) || cleanText(plainText);
  if (!text) return null;
  return { text, paragraph: paragraphAround(range) };
}

/** Reads the current selection; null when nothing (or only whitespace, or an editable field) is selected. */
export function readSelection(doc: Document): CapturedSelection | null {
  const range = capturableRange(doc);
  return range ? readRange(range, doc.getSelection()?.toString() ?? '') : null;
}

/** Where to put the chip: just below the end of the selection, in page coordinates. */
export function chipAnchor(range: Range, view: Window): { x: number; y: number } {
  const rects = range.getClientRects();
  const last = rects.length > 0 ? rects[rects.length - 1] : range.getBoundingClientRect();
  const box = last ?? { right: 0, bottom: 0 };
  return { x: box.right + view.scrollX, y: box.bottom + view.scrollY + 6 };
}

/** The horizontal room the chip has, in page coordinates: the visible width of the document. */
export interface ChipBounds {
  left: number;
  right: number;
}

/** Space kept between the chip and the window's edge. */
export const CHIP_MARGIN = 8;

/**
 * The chip's left edge: at the end of the selection, but never past the window's right edge (a
 * selection ending at a full-width line would otherwise put the chip partly outside the window
 * and give the page a horizontal scrollbar) nor its left edge.
 */
export function chipLeft(anchorX: number, chipWidth: number, bounds: ChipBounds): number {
  const rightmost = bounds.right - chipWidth - CHIP_MARGIN;
  return Math.max(bounds.left + CHIP_MARGIN, Math.min(anchorX, rightmost));
}

/** The visible width of `view`'s document, in page coordinates (the vertical scrollbar excluded). */
export function chipBounds(view: Window): ChipBounds {
  const width = view.document.documentElement.clientWidth || view.innerWidth;
  return { left: view.scrollX, right: view.scrollX + width };
}
