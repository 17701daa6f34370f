// Page context fitted by the engine (`context.fit`): the side panel loads no tokenizer
// (docs/architecture.md), so the engine counts in the active model's own tokens. What it leaves
// free is the rule in docs/assistant.md ("Page context"): the answer's max new tokens plus room for
// the question and the last exchange; the engine also takes off the chat template's own tokens.
import type { ContextFitPayload, ContextFitResult } from '../../engine/protocol/types';
import { MAX_ANSWER_TOKENS } from './controller';
import type { ContextFitter } from './page-context';

/**
 * Tokens kept for the question typed with the context and the last exchange the model also sees
 * (messages.ts: HISTORY_MESSAGES). A longer conversation, or few-shot demonstrations, can still
 * overflow: the engine then writes nothing and the panel says what to remove.
 */
export const QUESTION_ROOM_TOKENS = 48;

/** Tokens `context.fit` leaves free besides the chat template's frame. */
export const CONTEXT_RESERVE_TOKENS = MAX_ANSWER_TOKENS + QUESTION_ROOM_TOKENS;

/** The slice of the engine client the fitter uses (EngineClient satisfies it). */
export interface ContextFitEngine {
  request(kind: 'context.fit', payload: ContextFitPayload): Promise<ContextFitResult>;
}

export function engineContextFitter(engine: ContextFitEngine): ContextFitter {
  return (text) => engine.request('context.fit', { text, reserveTokens: CONTEXT_RESERVE_TOKENS });
}
