// The client's check on events from the engine. Kept apart from validate.ts so pages that only
// talk to the engine (side panel, popup) do not pull the tuning registry (and tfjs) into their bundle.
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
      return isString(message.id) && isRecord(message.error) && isString(message.error.code) && isString(message.error.message);
    default:
      return false;
  }
}
