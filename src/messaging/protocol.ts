// The closed union of runtime messages between the content script, popup, dashboard and
// background, in the convention of envelope.ts: each message is `{kind, payload}`; each kind has
// one payload shape and one result shape, declared once here so senders and handlers cannot
// drift apart.

import type { Example, ExampleProblem } from '../dataset/example';
import type { ErrorInfo } from '../errors/attune-error';
import type { Outcome, RequestPayload, RequestResult } from './envelope';

/** Which field the captured selection fills in the capture form. */
export type CaptureMode = 'output' | 'input';
export const CAPTURE_MODES: readonly CaptureMode[] = ['output', 'input'];

/**
 * A capture as the form sends it; the background validates and caps every field. `origin` is
 * 'chat' when the assistant chat saves one of its answers (an extension page: a content script
 * cannot claim it).
 */
export type ExampleSavePayload = Pick<Example, 'instruction' | 'input' | 'output' | 'tags' | 'sourceUrl' | 'sourceTitle'> &
  Partial<Pick<Example, 'origin'>>;

export type SaveExampleResult =
  | { status: 'saved'; id: string }
  | { status: 'duplicate'; id: string };

/** The settings capture UIs follow (from the storage settings repo). */
export interface CaptureSettings {
  chipEnabled: boolean;
  /** 'auto' follows the browser language. */
  locale: 'auto' | 'en' | 'zh_CN';
}

/** A user's instruction template (built-in ones live in src/capture/templates.ts). */
export interface TemplateSummary {
  id: string;
  name: string;
  instruction: string;
  /** Host (optionally with a path prefix, or `*.host`) where this template is preselected; '' = none. */
  urlPattern: string;
}

type Empty = Record<string, never>;

/** Requests the background answers: kind → payload and result (none of them stream). */
export interface BackgroundRequests {
  'example.save': { payload: ExampleSavePayload; progress: never; result: SaveExampleResult };
  'examples.count': { payload: Empty; progress: never; result: { count: number } };
  'templates.list': { payload: Empty; progress: never; result: { templates: TemplateSummary[] } };
  'templates.save': {
    payload: { name: string; instruction: string; urlPattern: string };
    progress: never;
    result: { template: TemplateSummary };
  };
  'settings.capture': { payload: Empty; progress: never; result: CaptureSettings };
  /** From the popup: open the capture form in that tab (the same form as the chip and the menu). */
  'capture.start': { payload: { tabId: number; mode: CaptureMode }; progress: never; result: { opened: boolean } };
  'dashboard.open': { payload: Empty; progress: never; result: { opened: true } };
}

/** Requests a content script answers (sent by the background with tabs.sendMessage). */
export interface ContentRequests {
  'capture.open': { payload: { mode: CaptureMode; selectionText?: string }; progress: never; result: { opened: boolean } };
  /**
   * From the side panel: the address of the page this content script runs in, so the panel can
   * pick the adapter bound to that site without the `tabs` permission. Answered only to this
   * extension; the address stays on the device.
   */
  'page.locate': { payload: Empty; progress: never; result: { url: string } };
}

export type BackgroundKind = keyof BackgroundRequests;
export type ContentKind = keyof ContentRequests;

export type MessageOf<Requests, K extends keyof Requests> = { kind: K; payload: RequestPayload<Requests, K> };

export type BackgroundMessage = { [K in BackgroundKind]: MessageOf<BackgroundRequests, K> }[BackgroundKind];
export type ContentMessage = { [K in ContentKind]: MessageOf<ContentRequests, K> }[ContentKind];

export type ResultOf<Requests, K extends keyof Requests> = RequestResult<Requests, K>;

/** Why a message was refused: an ErrorInfo (code, catalogue key, params, English message). */
export interface MessageError extends ErrorInfo {
  /** For 'invalid-example': every problem found, so the form can show them all. */
  problems?: ExampleProblem[];
}

/** Every reply is wrapped, so a refusal is data rather than a thrown error across contexts. */
export type Reply<R> = Outcome<R, MessageError>;
