// What the model is shown for one chat request: retrieved demonstrations, the recent turns, then
// the new request, each user turn written exactly as training writes an example's user turn.
import type { ChatMessage } from '../../engine/protocol/types';
import { demonstrationMessages, type RetrievableExample } from '../../retrieval';
import type { ConversationMessage } from '../../storage/schema';

/**
 * The user turn of {instruction, input}: the same text as `exampleMessages` in
 * src/tuning/train/data.ts (a unit test keeps the two identical). Not imported from there because
 * that module pulls TensorFlow.js into the side panel, which never touches tensors.
 */
export function userTurn(example: RetrievableExample): ChatMessage[] {
  const input = example.input?.trim();
  const user = input ? `${example.instruction.trim()}\n\n${input}` : example.instruction.trim();
  return [{ role: 'user', content: user }];
}

/**
 * Earlier messages the model sees. Small on-device models have short contexts (the shipped one:
 * 256 tokens), so only the last exchange is kept; compare mode's base answers are left out (the
 * conversation continues with the tuned answer).
 */
export const HISTORY_MESSAGES = 2;

export interface ModelRequest {
  history: readonly ConversationMessage[];
  demonstrations: readonly RetrievableExample[];
  text: string;
  context?: string;
}

export function modelMessages(request: ModelRequest): ChatMessage[] {
  const history = request.history
    .filter((m) => m.variant !== 'base')
    .slice(-HISTORY_MESSAGES)
    .flatMap((m): ChatMessage[] =>
      m.role === 'user'
        ? userTurn({ instruction: m.content, input: m.context, output: '' })
        : [{ role: 'assistant', content: m.content }],
    );
  // A history that starts with an answer would show the model a reply to nothing.
  while (history[0]?.role === 'assistant') history.shift();
  return [
    ...demonstrationMessages(request.demonstrations, userTurn),
    ...history,
    ...userTurn({ instruction: request.text, input: request.context, output: '' }),
  ];
}
