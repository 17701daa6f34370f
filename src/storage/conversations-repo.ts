// Side-panel conversations: create, append a message, list, rename, delete, export. Each write is one
// transaction on the conversations store, so a failed append leaves the conversation as it was.

import { AttuneError } from '../errors/attune-error';
import type { AttuneDb } from './db';
import type { ConversationMessage, ConversationRecord } from './schema';
import { writeTransaction } from './transaction';

export const MAX_CONVERSATION_TITLE_CHARS = 80;
/** Longest message kept; a page used as context can be long, but not unbounded. */
export const MAX_MESSAGE_CHARS = 100_000;

export class ConversationNotFoundError extends AttuneError {
  constructor(readonly id: string) {
    super('error.conversation-missing', { id });
  }
}

export class InvalidMessageError extends AttuneError {
  constructor(detail: string) {
    super('error.invalid-message', { detail });
  }
}

export class InvalidConversationTitleError extends AttuneError {
  constructor() {
    super('error.conversation-title', { max: MAX_CONVERSATION_TITLE_CHARS });
  }
}

export type MessageDraft = Omit<ConversationMessage, 'id' | 'createdAt'>;

/** A title from the first words of the first message, on one line. */
export function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= MAX_CONVERSATION_TITLE_CHARS) return line;
  return `${line.slice(0, MAX_CONVERSATION_TITLE_CHARS - 1).trimEnd()}…`;
}

export async function createConversation(
  db: AttuneDb,
  title = '',
  now: number = Date.now(),
  id: string = crypto.randomUUID(),
): Promise<ConversationRecord> {
  const record: ConversationRecord = {
    id,
    title: titleFrom(title),
    messages: [],
    createdAt: now,
    updatedAt: now,
  };
  await writeTransaction(db, ['conversations'], async (tx) => {
    await tx.store.add(record);
  });
  return record;
}

/** Appends one message; a conversation without a title takes it from its first user message. */
export async function appendMessage(
  db: AttuneDb,
  conversationId: string,
  draft: MessageDraft,
  now: number = Date.now(),
  id: string = crypto.randomUUID(),
): Promise<ConversationRecord> {
  validateMessage(draft);
  return writeTransaction(db, ['conversations'], async (tx) => {
    const existing = await tx.store.get(conversationId);
    if (!existing) throw new ConversationNotFoundError(conversationId);
    const message: ConversationMessage = { ...draft, id, createdAt: now };
    const title = existing.title || (draft.role === 'user' ? titleFrom(draft.content) : '');
    const updated: ConversationRecord = {
      ...existing,
      title,
      messages: [...existing.messages, message],
      updatedAt: now,
    };
    await tx.store.put(updated);
    return updated;
  });
}

function validateMessage(draft: MessageDraft): void {
  if (draft.role !== 'user' && draft.role !== 'assistant')
    throw new InvalidMessageError(`A message is from "user" or "assistant", not "${String(draft.role)}".`);
  if (typeof draft.content !== 'string') throw new InvalidMessageError('A message needs text content.');
  if (draft.content.length > MAX_MESSAGE_CHARS)
    throw new InvalidMessageError(`A message can hold at most ${MAX_MESSAGE_CHARS} characters; shorten it.`);
}

export async function getConversation(db: AttuneDb, id: string): Promise<ConversationRecord> {
  const record = await db.get('conversations', id);
  if (!record) throw new ConversationNotFoundError(id);
  return record;
}

/** Every conversation, most recently active first. */
export async function listConversations(db: AttuneDb): Promise<ConversationRecord[]> {
  return (await db.getAllFromIndex('conversations', 'byUpdatedAt')).reverse();
}

/**
 * Renames a conversation: one line, 1 to MAX_CONVERSATION_TITLE_CHARS characters after trimming.
 * `updatedAt` is left alone so a rename does not move the conversation up the list.
 */
export async function renameConversation(db: AttuneDb, id: string, title: string): Promise<ConversationRecord> {
  const clean = typeof title === 'string' ? title.replace(/\s+/g, ' ').trim() : '';
  if (clean === '' || clean.length > MAX_CONVERSATION_TITLE_CHARS) throw new InvalidConversationTitleError();
  return writeTransaction(db, ['conversations'], async (tx) => {
    const existing = await tx.store.get(id);
    if (!existing) throw new ConversationNotFoundError(id);
    const renamed: ConversationRecord = { ...existing, title: clean };
    await tx.store.put(renamed);
    return renamed;
  });
}

/** Remembers the adapter the person chose for this conversation (see `adapterOverride`). */
export async function setConversationAdapter(db: AttuneDb, id: string, adapterId: string | null): Promise<ConversationRecord> {
  return writeTransaction(db, ['conversations'], async (tx) => {
    const existing = await tx.store.get(id);
    if (!existing) throw new ConversationNotFoundError(id);
    const updated: ConversationRecord = { ...existing, adapterOverride: { adapterId } };
    await tx.store.put(updated);
    return updated;
  });
}

export async function deleteConversation(db: AttuneDb, id: string): Promise<void> {
  await writeTransaction(db, ['conversations'], async (tx) => {
    await tx.store.delete(id);
  });
}

/** A conversation as a portable JSON document (ISO dates), for the "Export" button. */
export function conversationToJson(record: ConversationRecord): string {
  const exported = {
    format: 'attune-conversation',
    version: 1,
    title: record.title,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    messages: record.messages.map(({ id: _id, createdAt, ...rest }) => ({
      ...rest,
      createdAt: new Date(createdAt).toISOString(),
    })),
  };
  return `${JSON.stringify(exported, null, 2)}\n`;
}
