// @vitest-environment jsdom
// Paste-to-capture: pastes outside fields open the form; pastes into fields (and into the
// capture form itself, behind its closed shadow root) stay normal pastes.
import { expect, test } from 'vitest';
import { captureTextFromPaste, isEditable } from '../../../../src/platform/web/paste';
import { MAX_SHARED_TEXT_CHARS } from '../../../../src/platform/web/share-target';
import { createShadowMount } from '../../../../src/ui/capture/shadow-mount';

/** A paste event as the browser builds it: the text on the clipboard and the event's path. */
function pasteEvent(text: string | null, path: EventTarget[]) {
  const clipboardData =
    text === null
      ? null
      : ({ getData: (type: string) => (type === 'text/plain' ? text : '') } as DataTransfer);
  return { clipboardData, composedPath: () => path };
}

test('isEditable: text fields, textareas, selects and contenteditable, not buttons or checkboxes', () => {
  const make = (html: string) => {
    const wrapper = document.createElement('div');
    wrapper.innerHTML = html;
    document.body.append(wrapper);
    return wrapper.firstElementChild!;
  };
  expect(isEditable(make('<input>'))).toBe(true);
  expect(isEditable(make('<input type="search">'))).toBe(true);
  expect(isEditable(make('<textarea></textarea>'))).toBe(true);
  expect(isEditable(make('<select></select>'))).toBe(true);
  expect(isEditable(make('<input type="checkbox">'))).toBe(false);
  expect(isEditable(make('<button>x</button>'))).toBe(false);
  expect(isEditable(make('<p>text</p>'))).toBe(false);
  expect(isEditable(null)).toBe(false);
  const editable = make('<div contenteditable="true"></div>') as HTMLElement;
  // jsdom does not compute isContentEditable; browsers do. Define it as a browser would.
  Object.defineProperty(editable, 'isContentEditable', { value: true });
  expect(isEditable(editable)).toBe(true);
});

test('a paste on the page body is captured, cleaned', () => {
  const text = captureTextFromPaste(
    pasteEvent('  Foxes\u00a0cross \u200bat green. ', [document.body, document]),
  );
  expect(text).toBe('Foxes cross at green.');
});

test('pastes into a field, of nothing, or of whitespace are not captured', () => {
  const input = document.createElement('input');
  expect(captureTextFromPaste(pasteEvent('hello', [input, document.body]))).toBeNull();
  expect(captureTextFromPaste(pasteEvent(null, [document.body]))).toBeNull();
  expect(captureTextFromPaste(pasteEvent(' \n\t ', [document.body]))).toBeNull();
});

test('a paste inside the capture form (closed shadow root: only its host is visible) is left alone', () => {
  const mount = createShadowMount(document);
  // Outside listeners see the host as the first node of the path, never the field inside.
  expect(
    captureTextFromPaste(pasteEvent('into the form', [mount.host, document.documentElement, document])),
  ).toBeNull();
  mount.remove();
});

test('a huge paste is cut before any work', () => {
  const text = captureTextFromPaste(pasteEvent('y'.repeat(MAX_SHARED_TEXT_CHARS * 2), [document.body]));
  expect(text?.length).toBe(MAX_SHARED_TEXT_CHARS);
});
