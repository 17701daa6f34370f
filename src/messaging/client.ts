// Typed senders. Extension pages and content scripts call `askBackground`; the background calls
// `askTab` to open the capture form in a page. A refusal comes back as `MessageRefusedError`.

import { browser } from 'wxt/browser';
import type {
  BackgroundKind,
  BackgroundRequests,
  ContentKind,
  ContentRequests,
  MessageError,
  MessageOf,
  Reply,
  ResultOf,
} from './protocol';
import { isRecord } from './guards';
import { AttuneError, RemoteError } from '../errors/attune-error';

/**
 * The background (or a tab) refused a request. It carries the refusal as it came (code, catalogue
 * key, params), so pages render it like any other error; `problems` says which fields.
 */
export class MessageRefusedError extends RemoteError {
  constructor(readonly detail: MessageError) {
    super(detail);
  }
}

/** Nobody answered (the background failed to start, or no content script in the tab). */
export class NoReceiverError extends AttuneError {
  constructor(what: 'background' | 'page', cause?: unknown) {
    super(what === 'background' ? 'error.no-receiver.background' : 'error.no-receiver.page', {}, { cause });
  }
}

function unwrap<R>(reply: unknown, what: 'background' | 'page'): R {
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
    throw new NoReceiverError('background', error);
  }
  return unwrap(reply, 'background');
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
    throw new NoReceiverError('page', error);
  }
  return unwrap(reply, 'page');
}
