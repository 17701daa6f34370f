// Checks on requests arriving at the engine host (events are checked by the client: events.ts).
// Messages arrive as structured clones from another context, so each field is checked before use;
// a request with a wrong or unknown field is refused as 'malformed' rather than half-understood.

import { hasOnlyKeys, isEmptyPayload, isRecord, isString, type UnknownRecord } from '../../messaging/guards';
import { ENGINE_KINDS, MAX_CONTEXT_FIT_CHARS, MIX_COMBINATION_NAMES, type EngineKind, type EngineRequest } from './types';

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isOptional = (v: unknown, check: (x: unknown) => boolean) => v === undefined || check(v);

function isConfigValue(value: unknown): boolean {
  return (
    isFiniteNumber(value) ||
    isString(value) ||
    typeof value === 'boolean' ||
    (Array.isArray(value) && value.every(isString))
  );
}

function isExampleSelection(value: unknown): boolean {
  if (!isRecord(value)) return false;
  if (value.kind === 'all') return hasOnlyKeys(value, ['kind']);
  return value.kind === 'tag' && isString(value.tag) && value.tag.length > 0 && hasOnlyKeys(value, ['kind', 'tag']);
}

const SETTING_KEYS = [
  'epochs',
  'maxSteps',
  'batchSize',
  'gradAccumSteps',
  'lr',
  'minLr',
  'warmupSteps',
  'weightDecay',
  'maxGradNorm',
  'maxLength',
  'earlyStoppingPatience',
  'seed',
];

function isSettingOverrides(value: unknown): boolean {
  if (!isRecord(value) || !hasOnlyKeys(value, SETTING_KEYS)) return false;
  return Object.entries(value).every(([key, v]) => (key === 'maxSteps' ? v === null || isFiniteNumber(v) : isFiniteNumber(v)));
}

/** Optional continuation fields: an adapter id and a whole replay count from 0 to 100,000. */
function isContinuation(p: UnknownRecord): boolean {
  return (
    isOptional(p.continueAdapterId, (id) => isString(id) && id.length > 0 && id.length <= 200) &&
    isOptional(p.replayExamples, (n) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 100_000)
  );
}

function isTrainStart(p: UnknownRecord, isMethodName: MethodCheck): boolean {
  return (
    hasOnlyKeys(p, ['examples', 'method', 'methodConfig', 'overrides', 'name', 'continueAdapterId', 'replayExamples']) &&
    isContinuation(p) &&
    isExampleSelection(p.examples) &&
    isString(p.method) &&
    isMethodName(p.method) &&
    isOptional(p.methodConfig, (c) => isRecord(c) && Object.values(c).every(isConfigValue)) &&
    isOptional(p.overrides, isSettingOverrides) &&
    isOptional(p.name, isString)
  );
}

function isChatMessages(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (m) =>
        isRecord(m) &&
        hasOnlyKeys(m, ['role', 'content']) &&
        (m.role === 'system' || m.role === 'user' || m.role === 'assistant') &&
        isString(m.content),
    )
  );
}

function isSampling(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = ['greedy', 'temperature', 'topK', 'topP', 'repetitionPenalty', 'seed', 'maxNewTokens'];
  if (!hasOnlyKeys(value, keys)) return false;
  return Object.entries(value).every(([key, v]) => (key === 'greedy' ? typeof v === 'boolean' : isFiniteNumber(v)));
}

function isGenerate(p: UnknownRecord): boolean {
  const hasPrompt = isString(p.prompt) && p.prompt.length > 0;
  const hasMessages = isChatMessages(p.messages);
  return (
    hasOnlyKeys(p, ['prompt', 'messages', 'adapterId', 'sampling']) &&
    hasPrompt !== hasMessages &&
    (p.prompt === undefined || hasPrompt) &&
    (p.messages === undefined || hasMessages) &&
    (p.adapterId === null || isString(p.adapterId)) &&
    isOptional(p.sampling, isSampling)
  );
}

const PAYLOAD_CHECKS: { [K in EngineKind]: (payload: unknown, isMethodName: MethodCheck) => boolean } = {
  'train.start': (p, isMethodName) => isRecord(p) && isTrainStart(p, isMethodName),
  'train.defaults': (p, isMethodName) =>
    isRecord(p) && hasOnlyKeys(p, ['examples', 'method', 'continueAdapterId', 'replayExamples']) && isExampleSelection(p.examples) && isString(p.method) && isMethodName(p.method) && isContinuation(p),
  'train.methods': isEmptyPayload,
  'train.watch': isEmptyPayload,
  'train.pause': isEmptyPayload,
  'train.resume': isEmptyPayload,
  'train.cancel': isEmptyPayload,
  'train.status': isEmptyPayload,
  'model.generate': (p) => isRecord(p) && isGenerate(p),
  'context.fit': (p) =>
    isRecord(p) &&
    hasOnlyKeys(p, ['text', 'reserveTokens']) &&
    isString(p.text) &&
    p.text.length <= MAX_CONTEXT_FIT_CHARS &&
    Number.isInteger(p.reserveTokens) &&
    (p.reserveTokens as number) >= 0 &&
    (p.reserveTokens as number) <= 100_000,
  'request.cancel': (p) => isRecord(p) && hasOnlyKeys(p, ['requestId']) && isString(p.requestId),
  'adapter.merge': (p) => isRecord(p) && hasOnlyKeys(p, ['adapterId']) && isString(p.adapterId),
  'adapter.unmerge': isEmptyPayload,
  'adapter.import': (p) =>
    isRecord(p) && hasOnlyKeys(p, ['name', 'zipBase64']) && isString(p.name) && p.name.length <= 200 && isString(p.zipBase64) && p.zipBase64.length > 0,
  'adapter.mix': (p) => isRecord(p) && isMix(p),
  'model.export': (p) =>
    isRecord(p) &&
    hasOnlyKeys(p, ['modelId', 'adapterId', 'adapterOnly', 'type']) &&
    isString(p.modelId) &&
    p.modelId.length > 0 &&
    (p.adapterId === null || isString(p.adapterId)) &&
    typeof p.adapterOnly === 'boolean' &&
    (!p.adapterOnly || p.adapterId !== null) &&
    (p.type === 'f16' || p.type === 'q8_0'),
  'engine.info': isEmptyPayload,
};

/** At most this many adapters in one mix: more is a mistake or an attack, never a use. */
const MAX_MIX_PARTS = 16;

function isMix(p: Record<string, unknown>): boolean {
  if (!hasOnlyKeys(p, ['name', 'parts', 'combination', 'rank'])) return false;
  if (!isString(p.name) || p.name.trim().length === 0 || p.name.length > 200) return false;
  if (!(MIX_COMBINATION_NAMES as readonly unknown[]).includes(p.combination)) return false;
  if (p.rank !== undefined && !(Number.isInteger(p.rank) && (p.rank as number) >= 1 && (p.rank as number) <= 4096)) return false;
  if (!Array.isArray(p.parts) || p.parts.length === 0 || p.parts.length > MAX_MIX_PARTS) return false;
  return p.parts.every(
    (part: unknown) =>
      isRecord(part) && hasOnlyKeys(part, ['adapterId', 'weight']) && isString(part.adapterId) && part.adapterId.length <= 100 && typeof part.weight === 'number' && Number.isFinite(part.weight),
  );
}

export function isEngineKind(value: unknown): value is EngineKind {
  return isString(value) && (ENGINE_KINDS as readonly string[]).includes(value);
}

/** The request's id when it has a usable one (so a malformed request can still be answered). */
export function requestIdOf(message: unknown): string | null {
  return isRecord(message) && isString(message.id) && message.id.length > 0 && message.id.length <= 100 ? message.id : null;
}

/**
 * Whether a method name is one the receiver can train. Passed in by the host (which owns the
 * registry) so the protocol stays free of tensor code.
 */
export type MethodCheck = (name: string) => boolean;

export function isEngineRequest(message: unknown, isMethodName: MethodCheck): message is EngineRequest {
  if (!isRecord(message) || !hasOnlyKeys(message, ['kind', 'id', 'payload'])) return false;
  if (!isEngineKind(message.kind) || requestIdOf(message) === null) return false;
  return PAYLOAD_CHECKS[message.kind](message.payload, isMethodName);
}
