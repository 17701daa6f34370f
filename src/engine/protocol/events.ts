// The client's check on events from the engine.
import { isRecord, isString } from '../../messaging/guards';
import type { EngineEvent } from './types';

export function isEngineEvent(message: unknown): message is EngineEvent {
  if (!isRecord(message)) return false;
  switch (message.type) {
    case 'ready':
      return true;
    case 'progress':
      return isString(message.id) && 'progress' in message;
    case 'result':
      return isString(message.id) && 'result' in message;
    case 'error':
      return isString(message.id) && isErrorInfo(message.error);
    default:
      return false;
  }
}

/** `{code, message}` with, when present, a string key and flat string/number params. */
export function isErrorInfo(value: unknown): boolean {
  if (!isRecord(value) || !isString(value.code) || !isString(value.message)) return false;
  if (value.key !== undefined && !isString(value.key)) return false;
  if (value.params === undefined) return true;
  return isRecord(value.params) && Object.values(value.params).every((v) => isString(v) || (typeof v === 'number' && Number.isFinite(v)));
}
