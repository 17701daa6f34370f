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
  MessageOf,
  Reply,
  ResultOf,
} from '../messaging/protocol';
import { isBackgroundMessage } from '../messaging/validate';
import { AttuneError, type ErrorKey, type ErrorParams } from '../errors/attune-error';
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
export class HandlerRefusal extends AttuneError {
  readonly problems?: ExampleProblem[];
  constructor(key: ErrorKey, params: ErrorParams = {}, problems?: ExampleProblem[]) {
    super(key, params);
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

function refuse(refusal: AttuneError): Reply<never> {
  const error: MessageError = refusal.toInfo();
  if (refusal instanceof HandlerRefusal && refusal.problems) error.problems = refusal.problems;
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
      return Promise.resolve(refuse(new HandlerRefusal('error.foreign-sender')));
    }
    if (!isRecord(message) || !isString(message.kind) || !Object.hasOwn(handlers, message.kind)) {
      return undefined;
    }
    if (!isBackgroundMessage(message)) {
      return Promise.resolve(refuse(new HandlerRefusal('error.malformed.message', { kind: message.kind })));
    }
    const info = describeSender(sender, options.extensionOrigin());
    if (info.fromContentScript && EXTENSION_PAGE_ONLY.has(message.kind)) {
      return Promise.resolve(refuse(new HandlerRefusal('error.not-allowed.page-only', { kind: message.kind })));
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
    // Refusals and the storage's own failures (full, blocked) keep their codes; anything else is a bug.
    if (error instanceof AttuneError) return refuse(error);
    console.error('[attune] handler failed', message.kind, error);
    return refuse(new HandlerRefusal('error.internal', { detail: error instanceof Error ? error.message : String(error) }));
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
