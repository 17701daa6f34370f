// A closed shadow root on the page for the chip and the form. Closed mode: page scripts cannot
// reach inside (host.shadowRoot is null for them), and `all: initial` stops page CSS leaking in.

import { CAPTURE_CSS } from './styles';

export const HOST_TAG = 'attune-capture';

/** Keyboard events must not bubble out: page shortcuts would fire while typing in the form. */
const ISOLATED_EVENTS = ['keydown', 'keyup', 'keypress', 'input', 'beforeinput'] as const;

const HOST_STYLE = [
  'all: initial',
  'display: block',
  'visibility: visible',
  'opacity: 1',
  'position: absolute',
  'top: 0',
  'left: 0',
  'width: 0',
  'height: 0',
  'margin: 0',
  'transform: none',
  'z-index: 2147483647',
]
  .map((rule) => `${rule} !important;`)
  .join(' ');

export interface ShadowMount {
  host: HTMLElement;
  shadow: ShadowRoot;
  /** The element Preact renders into: a zero-size layer at the document's top-left corner. */
  layer: HTMLElement;
  remove(): void;
}

export function createShadowMount(doc: Document): ShadowMount {
  const host = doc.createElement(HOST_TAG);
  // Positioned at the document origin so absolute children use page coordinates. Inline
  // !important outranks any page rule aimed at the host (e.g. `attune-capture {display: none
  // !important}`); page selectors cannot match anything inside the shadow root at all.
  host.style.cssText = HOST_STYLE;
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = doc.createElement('style');
  style.textContent = CAPTURE_CSS;
  const layer = doc.createElement('div');
  layer.className = 'layer';
  shadow.append(style, layer);
  for (const type of ISOLATED_EVENTS) host.addEventListener(type, (event) => event.stopPropagation());
  doc.documentElement.append(host);
  return { host, shadow, layer, remove: () => host.remove() };
}
