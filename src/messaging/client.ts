// Typed senders. Extension pages and content scripts call `askBackground`; the background calls
// `askTab` to open the capture form in a page. A refusal comes back as `MessageRefusedError`.

import { browser } from 'wxt/browser';
import type {
  BackgroundKind,
  BackgroundRequests,
  ContentKind,
  ContentRequests,
  MessageError,
  MessageErrorCode,
  MessageOf,
  Reply,
  ResultOf,
} from './protocol';
import { isRecord } from './guards';

/** The background (or a tab) refused a request; `code` says why, `problems` which fields. */
export class MessageRefusedError extends Error {
  readonly code: MessageErrorCode;
  readonly detail: MessageError;
  constructor(detail: MessageError) {
    super(detail.message);
    this.name = 'MessageRefusedError';
    this.code = detail.code;
    this.detail = detail;
  }
}

/** Nobody answered (the background failed to start, or no content script in the tab). */
export class NoReceiverError extends Error {
  constructor(what: string, cause?: unknown) {
    super(`No answer from ${what}. Reload the page or the extension and try again.`, { cause });
    this.name = 'NoReceiverError';
  }
}

function unwrap<R>(reply: unknown, what: string): R {
  if (!isRecord(reply) || (reply.type !== 'result' && reply.type !== 'error')) throw new NoReceiverError(what);
  const typed = reply as Reply<R>;
  if (typed.type === 'result') return typed.result;
  throw new MessageRefusedError(typed.error);
}

export async function askBackground<K extends BackgroundKind>(
  kind: K,
  payload: MessageOf<BackgroundRequests, K>['payload'],
): Promise<ResultOf<BackgroundRequests, K>> {
  const message: MessageOf<BackgroundRequests, K> = { kind, payload };
  let reply: unknown;
  try {
    reply = await browser.runtime.sendMessage(message);
  } catch (error) {
    throw new NoReceiverError('the extension background', error);
  }
  return unwrap(reply, 'the extension background');
}

export async function askTab<K extends ContentKind>(
  tabId: number,
  kind: K,
  payload: MessageOf<ContentRequests, K>['payload'],
): Promise<ResultOf<ContentRequests, K>> {
  const message: MessageOf<ContentRequests, K> = { kind, payload };
  let reply: unknown;
  try {
    reply = await browser.tabs.sendMessage(tabId, message);
  } catch (error) {
    throw new NoReceiverError('the page', error);
  }
  return unwrap(reply, 'the page');
}
