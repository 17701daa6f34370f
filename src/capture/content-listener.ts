// The content script's end of `capture.open` (and `page.locate`, the page's address for the side
// panel's adapter choice): only this extension (the background) may ask, and
// only with a well-formed message. Pages cannot reach runtime.onMessage at all.

import type { Browser } from 'wxt/browser';
import type { Reply } from '../messaging/protocol';
import { isContentMessage } from '../messaging/validate';
import type { CaptureController } from './api';

type Sender = Browser.runtime.MessageSender;
type Listener = (message: unknown, sender: Sender, sendResponse: (reply: unknown) => void) => boolean;

interface RuntimeLike {
  id: string;
  onMessage: { addListener(listener: Listener): void; removeListener(listener: Listener): void };
}

export function listenForCaptureRequests(runtime: RuntimeLike, controller: CaptureController): () => void {
  const listener: Listener = (message, sender, sendResponse) => {
    if (sender.id !== runtime.id || !isContentMessage(message)) return false;
    if (message.kind === 'page.locate') {
      sendResponse({ type: 'result', result: { url: location.href } } satisfies Reply<{ url: string }>);
      return false;
    }
    const { mode, selectionText } = message.payload;
    controller
      .openForm(mode, selectionText)
      .then(() => sendResponse({ type: 'result', result: { opened: true } } satisfies Reply<{ opened: boolean }>))
      .catch((error: unknown) =>
        sendResponse({ type: 'error', error: { code: 'internal', message: String(error) } } satisfies Reply<never>),
      );
    return true;
  };
  runtime.onMessage.addListener(listener);
  return () => runtime.onMessage.removeListener(listener);
}
