// In-context learning: retrieved examples become earlier user/assistant turns of the chat, so the
// model sees "asked like this → answered like this" before the real request. The caller supplies
// how an example's user turn is written (training's `exampleMessages`), so demonstrations read
// exactly like the turns the model was tuned on.
import type { ChatMessage } from '../model/chat-template';
import type { RetrievableExample } from './examples';

export type UserTurnRenderer = (example: RetrievableExample) => ChatMessage[];

/** Each demonstration as its user turn(s) followed by its output as the assistant's answer. */
export function demonstrationMessages(
  demos: readonly RetrievableExample[],
  userTurn: UserTurnRenderer,
): ChatMessage[] {
  return demos.flatMap((demo) => [
    ...userTurn(demo),
    { role: 'assistant' as const, content: demo.output.trim() },
  ]);
}

/** Same instruction, input and output: an example must never demonstrate its own answer. */
export function sameExample(a: RetrievableExample, b: RetrievableExample): boolean {
  return (
    a.instruction.trim() === b.instruction.trim() &&
    (a.input ?? '').trim() === (b.input ?? '').trim() &&
    a.output.trim() === b.output.trim()
  );
}
