// Fits page context into the model's budget. The budget is in characters (MAX_CONTEXT_CHARS in
// page-context.ts); the cut falls on the last paragraph break that fits, else the last sentence
// end, else the last space, so the model never sees half a word, and the caller learns exactly
// how much was kept for the notice the panel shows.

export interface FittedText {
  /** What is sent: `text` itself, or its beginning. */
  text: string;
  cut: boolean;
  /** Characters before and after fitting. */
  totalChars: number;
  keptChars: number;
  /** Paragraphs (blocks separated by a blank line) before and after fitting. */
  totalParagraphs: number;
  keptParagraphs: number;
}

function paragraphCount(text: string): number {
  return text === '' ? 0 : text.split(/\n{2,}/).filter((block) => block.trim() !== '').length;
}

/** Where to cut `text` so that at most `limit` characters remain. */
function cutPoint(text: string, limit: number): number {
  const head = text.slice(0, limit + 1);
  // A boundary this far into the budget keeps most of it; an earlier one would waste it.
  const worthIt = (index: number) => index >= limit / 2;
  const paragraph = head.lastIndexOf('\n\n');
  if (worthIt(paragraph)) return paragraph;
  const sentence = Math.max(
    ...['. ', '! ', '? ', '.\n', '。', '！', '？'].map((end) => head.lastIndexOf(end)),
  );
  if (worthIt(sentence)) return sentence + 1;
  const space = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\n'));
  if (worthIt(space)) return space;
  // Nothing to cut at (one long word, or text without spaces such as Chinese): cut at the limit,
  // without splitting a surrogate pair.
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

export function fitToBudget(text: string, limit: number): FittedText {
  const totalParagraphs = paragraphCount(text);
  if (text.length <= limit) {
    return {
      text,
      cut: false,
      totalChars: text.length,
      keptChars: text.length,
      totalParagraphs,
      keptParagraphs: totalParagraphs,
    };
  }
  const kept = text.slice(0, cutPoint(text, limit)).trimEnd();
  return {
    text: kept,
    cut: true,
    totalChars: text.length,
    keptChars: kept.length,
    totalParagraphs,
    keptParagraphs: paragraphCount(kept),
  };
}
