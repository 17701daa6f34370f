// An assistant answer as a training example: the request that was asked (its page context as the
// input) and the answer as the output, marked as coming from the chat. Pure, so the controller,
// the "Edit & save" form and the tests agree on what is saved.
import type { ExampleSavePayload } from '../../messaging/protocol';
import type { ConversationRecord } from '../../storage/schema';

/** The example an answer makes, or null when the message is not an answer to a request. */
export function exampleForAnswer(conversation: ConversationRecord, messageId: string): ExampleSavePayload | null {
  const index = conversation.messages.findIndex((m) => m.id === messageId);
  const answer = conversation.messages[index];
  if (!answer || answer.role !== 'assistant' || answer.content.trim() === '') return null;
  // Compare mode puts two answers after one request: both answer the nearest request above them.
  const request = conversation.messages
    .slice(0, index)
    .reverse()
    .find((m) => m.role === 'user');
  if (!request) return null;
  return {
    instruction: request.content,
    input: request.context ?? '',
    output: answer.content,
    tags: [],
    sourceUrl: '',
    sourceTitle: '',
    origin: 'chat',
  };
}
