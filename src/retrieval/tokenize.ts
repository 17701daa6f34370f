// A small Unicode-aware word splitter for retrieval. Words are runs of letters, digits and
// combining marks; CJK ideographs and kana are single-character tokens, because those scripts
// write no spaces between words and one character is the smallest unit that still carries meaning
// (character unigrams are the standard baseline for Chinese/Japanese BM25).

/** Scripts written without spaces: every character is its own token. */
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

// One CJK character, or a run of word characters that are not CJK.
const TOKEN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[\p{L}\p{N}\p{M}])+/gu;

/** Lower-cased, NFKC-normalised tokens (full-width Latin and digits fold to their ASCII forms). */
export function tokenize(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(TOKEN) ?? [];
}

export function isCjkToken(token: string): boolean {
  return CJK_CHAR.test(token);
}
