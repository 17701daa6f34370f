// The closed union of runtime messages between the content script, popup, dashboard and
// background. Each message is `{kind, id?, payload}`; each kind has one payload shape and one
// result shape, declared once here so senders and handlers cannot drift apart.

import type { Example, ExampleProblem } from '../dataset/example';

/** Which field the captured selection fills in the capture form. */
export type CaptureMode = 'output' | 'input';
export const CAPTURE_MODES: readonly CaptureMode[] = ['output', 'input'];

/** A capture as the form sends it; the background validates and caps every field. */
export type ExampleSavePayload = Pick<Example, 'instruction' | 'input' | 'output' | 'tags' | 'sourceUrl' | 'sourceTitle'>;

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

/** Requests the background answers: kind → payload and result. */
export interface BackgroundRequests {
  'example/save': { payload: ExampleSavePayload; result: SaveExampleResult };
  'examples/count': { payload: Record<string, never>; result: { count: number } };
  'templates/list': { payload: Record<string, never>; result: { templates: TemplateSummary[] } };
  'templates/save': {
    payload: { name: string; instruction: string; urlPattern: string };
    result: { template: TemplateSummary };
  };
  'settings/capture': { payload: Record<string, never>; result: CaptureSettings };
  /** From the popup: open the capture form in that tab (the same form as the chip and the menu). */
  'capture/start': { payload: { tabId: number; mode: CaptureMode }; result: { opened: boolean } };
  'dashboard/open': { payload: Record<string, never>; result: { opened: true } };
}

/** Requests a content script answers (sent by the background with tabs.sendMessage). */
export interface ContentRequests {
  'capture/open': { payload: { mode: CaptureMode; selectionText?: string }; result: { opened: boolean } };
}

export type BackgroundKind = keyof BackgroundRequests;
export type ContentKind = keyof ContentRequests;

export type MessageOf<Requests, K extends keyof Requests> = {
  kind: K;
  id?: string;
  payload: Requests[K] extends { payload: infer P } ? P : never;
};

export type BackgroundMessage = { [K in BackgroundKind]: MessageOf<BackgroundRequests, K> }[BackgroundKind];
export type ContentMessage = { [K in ContentKind]: MessageOf<ContentRequests, K> }[ContentKind];

export type ResultOf<Requests, K extends keyof Requests> = Requests[K] extends { result: infer R } ? R : never;

/** Why a message was refused; the UI translates the code, logs use the message. */
export type MessageErrorCode =
  | 'foreign-sender'
  | 'malformed'
  | 'not-allowed'
  | 'invalid-example'
  | 'unavailable'
  | 'internal';

export interface MessageError {
  code: MessageErrorCode;
  message: string;
  /** For 'invalid-example': every problem found, so the form can show them all. */
  problems?: ExampleProblem[];
}

/** Every reply is wrapped, so a refusal is data rather than a thrown error across contexts. */
export type Reply<R> = { ok: true; result: R } | { ok: false; error: MessageError };
