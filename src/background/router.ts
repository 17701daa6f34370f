// The background's single door for runtime messages. It answers only this extension's own
// contexts, only known kinds with well-formed payloads, and tells handlers whether the sender is
// a content script (page data: never trusted) or an extension page.

import type { Browser } from 'wxt/browser';
import { isRecord, isString } from '../messaging/guards';
import type {
  BackgroundKind,
  BackgroundMessage,
  BackgroundRequests,
  MessageError,
  MessageErrorCode,
  MessageOf,
  Reply,
  ResultOf,
} from '../messaging/protocol';
import { isBackgroundMessage } from '../messaging/validate';
import type { ExampleProblem } from '../dataset/example';

type MessageSender = Browser.runtime.MessageSender;

/** Who sent a message, as far as handlers need to know. */
export interface SenderInfo {
  /** True for content scripts: their payload may carry anything the page put on screen. */
  fromContentScript: boolean;
  /** The frame URL of a content script sender (set by the browser, not by the page). */
  url?: string;
  tabId?: number;
}

/** A handler's refusal: becomes `{type: 'error', error}` in the reply. */
export class HandlerRefusal extends Error {
  readonly code: MessageErrorCode;
  readonly problems?: ExampleProblem[];
  constructor(code: MessageErrorCode, message: string, problems?: ExampleProblem[]) {
    super(message);
    this.name = 'HandlerRefusal';
    this.code = code;
    if (problems) this.problems = problems;
  }
}

export type Handler<K extends BackgroundKind> = (
  payload: MessageOf<BackgroundRequests, K>['payload'],
  sender: SenderInfo,
) => Promise<ResultOf<BackgroundRequests, K>>;

export type Handlers = { [K in BackgroundKind]: Handler<K> };

/** Kinds that only extension pages (popup, dashboard) may send, never a content script. */
const EXTENSION_PAGE_ONLY: ReadonlySet<BackgroundKind> = new Set(['capture.start']);

export interface RouterOptions {
  handlers: Handlers;
  /** This extension's id (`browser.runtime.id`); read lazily so tests can change it. */
  extensionId: () => string;
  /** This extension's origin, e.g. `chrome-extension://<id>/`. */
  extensionOrigin: () => string;
}

/** The slice of `runtime.onMessage` the router needs (real browser or `fakeBrowser`). */
export interface MessageEvent {
  addListener(
    listener: (message: unknown, sender: MessageSender, sendResponse: (reply: unknown) => void) => boolean,
  ): void;
}

export type Route = (message: unknown, sender: MessageSender) => Promise<Reply<unknown>> | undefined;

function refuse(code: MessageErrorCode, message: string, problems?: ExampleProblem[]): Reply<never> {
  const error: MessageError = problems ? { code, message, problems } : { code, message };
  return { type: 'error', error };
}

function describeSender(sender: MessageSender, origin: string): SenderInfo {
  const fromExtensionPage = isString(sender.url) && sender.url.startsWith(origin);
  const info: SenderInfo = { fromContentScript: !fromExtensionPage };
  if (isString(sender.url)) info.url = sender.url;
  if (sender.tab?.id !== undefined) info.tabId = sender.tab.id;
  return info;
}

/**
 * Builds the routing function. Returns `undefined` (no answer) for messages from this extension
 * whose kind is not ours, so other listeners (e.g. an offscreen engine) can answer them.
 */
export function createRouter(options: RouterOptions): Route {
  const { handlers } = options;
  return (message, sender) => {
    if (sender.id !== options.extensionId()) {
      return Promise.resolve(refuse('foreign-sender', 'Messages are accepted only from Attune itself.'));
    }
    if (!isRecord(message) || !isString(message.kind) || !Object.hasOwn(handlers, message.kind)) {
      return undefined;
    }
    if (!isBackgroundMessage(message)) {
      return Promise.resolve(refuse('malformed', `Malformed "${message.kind}" message.`));
    }
    const info = describeSender(sender, options.extensionOrigin());
    if (info.fromContentScript && EXTENSION_PAGE_ONLY.has(message.kind)) {
      return Promise.resolve(refuse('not-allowed', `"${message.kind}" may only come from an extension page.`));
    }
    return dispatch(handlers, message, info);
  };
}

async function dispatch(handlers: Handlers, message: BackgroundMessage, sender: SenderInfo): Promise<Reply<unknown>> {
  // The union is checked above; TypeScript cannot correlate kind and payload through a lookup.
  const handler = handlers[message.kind] as Handler<BackgroundKind>;
  try {
    const result = await handler(message.payload as never, sender);
    return { type: 'result', result };
  } catch (error) {
    if (error instanceof HandlerRefusal) return refuse(error.code, error.message, error.problems);
    console.error('[attune] handler failed', message.kind, error);
    return refuse('internal', error instanceof Error ? error.message : String(error));
  }
}

/**
 * Attaches the router to `runtime.onMessage`. `onMessageExternal` is deliberately never
 * listened to, and the manifest declares no `externally_connectable`, so web pages and other
 * extensions cannot reach the background at all.
 */
export function listen(onMessage: MessageEvent, route: Route): void {
  onMessage.addListener((message, sender, sendResponse) => {
    const pending = route(message, sender);
    if (!pending) return false;
    void pending.then(sendResponse);
    return true; // keep the channel open for the asynchronous reply
  });
}
