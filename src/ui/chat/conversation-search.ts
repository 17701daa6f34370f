// The conversation list's search box: a conversation matches when every word of the query occurs
// in its title or in any of its messages, ignoring case and width (NFKC), so "Fox" finds "fox"
// and full-width "ＦＯＸ".
import type { ConversationRecord } from '../../storage/schema';

function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

export function filterConversations(
  conversations: readonly ConversationRecord[],
  query: string,
): ConversationRecord[] {
  const words = fold(query).split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return [...conversations];
  return conversations.filter((conversation) => {
    const text = fold([conversation.title, ...conversation.messages.map((m) => m.content)].join('\n'));
    return words.every((word) => text.includes(word));
  });
}
