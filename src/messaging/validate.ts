// One validator per message kind. A message is accepted only if its kind is known, its payload
// has exactly the declared fields with the declared types, and nothing else rides along.

import { EXAMPLE_ORIGINS, type ExampleOrigin } from '../dataset/example';
import {
  CAPTURE_MODES,
  type BackgroundKind,
  type BackgroundMessage,
  type CaptureMode,
  type ContentKind,
  type ContentMessage,
} from './protocol';
import { hasOnlyKeys, isEmptyPayload, isOptionalString, isRecord, isSafeInteger, isString, isStringArray } from './guards';

type PayloadCheck = (payload: unknown) => boolean;

const MAX_URL_PATTERN_CHARS = 300;

const SAVE_FIELDS = ['instruction', 'input', 'output', 'tags', 'sourceUrl', 'sourceTitle', 'origin'] as const;

function isCaptureMode(value: unknown): value is CaptureMode {
  return CAPTURE_MODES.includes(value as CaptureMode);
}

function isSavePayload(payload: unknown): boolean {
  if (!isRecord(payload) || !hasOnlyKeys(payload, SAVE_FIELDS)) return false;
  const { instruction, input, output, tags, sourceUrl, sourceTitle, origin } = payload;
  return (
    (origin === undefined || EXAMPLE_ORIGINS.includes(origin as ExampleOrigin)) &&
    isString(instruction) &&
    isString(input) &&
    isString(output) &&
    isStringArray(tags) &&
    isString(sourceUrl) &&
    isString(sourceTitle)
  );
}

function isTemplateSavePayload(payload: unknown): boolean {
  return (
    isRecord(payload) &&
    hasOnlyKeys(payload, ['name', 'instruction', 'urlPattern']) &&
    isString(payload.name) &&
    isString(payload.instruction) &&
    isString(payload.urlPattern) &&
    payload.urlPattern.length <= MAX_URL_PATTERN_CHARS
  );
}

function isCaptureStartPayload(payload: unknown): boolean {
  return (
    isRecord(payload) &&
    hasOnlyKeys(payload, ['tabId', 'mode']) &&
    isSafeInteger(payload.tabId) &&
    payload.tabId >= 0 &&
    isCaptureMode(payload.mode)
  );
}

function isCaptureOpenPayload(payload: unknown): boolean {
  return (
    isRecord(payload) &&
    hasOnlyKeys(payload, ['mode', 'selectionText']) &&
    isCaptureMode(payload.mode) &&
    isOptionalString(payload.selectionText)
  );
}

const BACKGROUND_PAYLOADS: Record<BackgroundKind, PayloadCheck> = {
  'example.save': isSavePayload,
  'examples.count': isEmptyPayload,
  'templates.list': isEmptyPayload,
  'templates.save': isTemplateSavePayload,
  'settings.capture': isEmptyPayload,
  'capture.start': isCaptureStartPayload,
  'dashboard.open': isEmptyPayload,
};

const CONTENT_PAYLOADS: Record<ContentKind, PayloadCheck> = {
  'capture.open': isCaptureOpenPayload,
  'page.locate': isEmptyPayload,
};

function isEnvelope(value: unknown, checks: Record<string, PayloadCheck>): boolean {
  if (!isRecord(value) || !hasOnlyKeys(value, ['kind', 'payload'])) return false;
  if (!isString(value.kind) || !Object.hasOwn(checks, value.kind)) return false;
  const check = checks[value.kind];
  return check !== undefined && check(value.payload);
}

export function isBackgroundMessage(value: unknown): value is BackgroundMessage {
  return isEnvelope(value, BACKGROUND_PAYLOADS);
}

export function isContentMessage(value: unknown): value is ContentMessage {
  return isEnvelope(value, CONTENT_PAYLOADS);
}

/** Every kind the background answers (the keys of its validator table, so none can be missed). */
export const BACKGROUND_KINDS = Object.keys(BACKGROUND_PAYLOADS) as BackgroundKind[];
export const CONTENT_KINDS = Object.keys(CONTENT_PAYLOADS) as ContentKind[];
