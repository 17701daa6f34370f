// Paste-to-capture: text pasted anywhere in the web app that is not a text field opens the capture
// form with it. Pasting into a field (including the capture form's own fields, inside its shadow
// root) is left alone, so editing still works normally.
import { cleanText } from '../../capture/clean';
import { HOST_TAG } from '../../ui/capture/shadow-mount';
import { MAX_SHARED_TEXT_CHARS } from './share-target';

/** True for inputs, textareas, selects and contenteditable elements. */
export function isEditable(target: EventTarget | null | undefined): boolean {
  if (!target || typeof (target as Element).tagName !== 'string') return false;
  const element = target as HTMLElement;
  const tag = element.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag === 'input') {
    const type = ((element as HTMLInputElement).type || 'text').toLowerCase();
    return ![
      'button',
      'checkbox',
      'color',
      'file',
      'hidden',
      'image',
      'radio',
      'range',
      'reset',
      'submit',
    ].includes(type);
  }
  return element.isContentEditable === true;
}

/** The text a paste event should capture, or null when the paste belongs to a field or is empty. */
export function captureTextFromPaste(
  event: Pick<ClipboardEvent, 'clipboardData' | 'composedPath'>,
): string | null {
  const path = event.composedPath();
  // The capture form lives in a closed shadow root: outside listeners see only its host element,
  // never the field inside, so any paste that passes through the host belongs to the form.
  if (path.some((node) => (node as Element).tagName?.toLowerCase() === HOST_TAG)) return null;
  if (isEditable(path[0])) return null;
  const text = cleanText((event.clipboardData?.getData('text/plain') ?? '').slice(0, MAX_SHARED_TEXT_CHARS));
  return text ? text : null;
}
