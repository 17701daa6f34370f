// Fits page context (the side panel's "Use this page / the selection") to the active model's
// context, counted in the model's own tokens. The budget is the model's context length minus the
// room the caller reserves (the answer's max new tokens and the question, see docs/assistant.md)
// minus the chat template's own tokens around one user turn. Text that fits is sent untouched;
// longer text is cut at the last paragraph break that fits, else the last sentence end, else the
// last space, else at a character, and the counts are those of the kept text tokenized again.
import type { LoadedModel } from '../../model';
import type { ModelTokenizer } from '../../model/tokenizer';
import type { ContextCut, ContextFitPayload, ContextFitResult } from '../protocol/types';
import { EngineError } from './errors';

const tokenCount = (tokenizer: ModelTokenizer, text: string) => tokenizer.encode(text, { addSpecialTokens: false }).length;

function paragraphCount(text: string): number {
  return text === '' ? 0 : text.split(/\n{2,}/).filter((block) => block.trim() !== '').length;
}

/** Tokens the chat template adds around a single user turn with the answer opened. */
export function templateTokens(tokenizer: ModelTokenizer): number {
  return tokenCount(tokenizer, tokenizer.applyChatTemplate([{ role: 'user', content: '' }], { addGenerationPrompt: true }));
}

/** Tokens left for the context: the model's positions less the reserve and the template's frame. */
export function contextBudget(model: LoadedModel, reserveTokens: number): number {
  const tokenizer = model.tokenizer;
  if (!tokenizer) throw new EngineError('error.no-tokenizer');
  return Math.max(0, model.config.maxPositions - reserveTokens - templateTokens(tokenizer));
}

const SENTENCE_ENDS = ['. ', '! ', '? ', '.\n', '!\n', '?\n', '。', '！', '？'];

/** Where a prefix may end, by kind of boundary, ascending (each a prefix length in characters). */
function boundaries(text: string, cut: Exclude<ContextCut, 'character' | null>): number[] {
  const ends = new Set<number>();
  const add = (pattern: RegExp, offset: (match: RegExpExecArray) => number) => {
    for (const match of text.matchAll(pattern)) ends.add(offset(match as RegExpExecArray));
  };
  if (cut === 'paragraph') add(/\n{2,}/g, (m) => m.index);
  if (cut === 'sentence') {
    for (const end of SENTENCE_ENDS) {
      let at = text.indexOf(end);
      while (at !== -1) {
        ends.add(at + 1); // keep the full stop, drop what follows it
        at = text.indexOf(end, at + 1);
      }
    }
  }
  if (cut === 'word') add(/\s+/g, (m) => m.index);
  return [...ends].filter((end) => end > 0).sort((a, b) => a - b);
}

/** Every character position that does not split a surrogate pair. */
function characterEnds(text: string): number[] {
  const ends: number[] = [];
  for (let end = 1; end <= text.length; end++) {
    const code = text.charCodeAt(end - 1);
    if (!(code >= 0xd800 && code <= 0xdbff)) ends.push(end);
  }
  return ends;
}

/**
 * The longest prefix ending at one of `ends` whose tokens fit `budget` (binary search: a longer
 * prefix never has fewer tokens in practice, and every answer is checked, so a rare exception
 * only costs a little of the budget, never an overrun).
 */
function longestFitting(tokenizer: ModelTokenizer, text: string, ends: number[], budget: number): { text: string; tokens: number } | null {
  let low = 0;
  let high = ends.length - 1;
  let best: { text: string; tokens: number } | null = null;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const prefix = text.slice(0, ends[middle]).trimEnd();
    const tokens = tokenCount(tokenizer, prefix);
    if (tokens <= budget) {
      if (prefix !== '') best = { text: prefix, tokens };
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}

/** Keeps as much of `text` as fits `budget` tokens of `tokenizer`, cut at the best boundary. */
export function fitTextToTokens(tokenizer: ModelTokenizer, text: string, budget: number): ContextFitResult {
  const ids = tokenizer.encode(text, { addSpecialTokens: false });
  const totalTokens = ids.length;
  const totalParagraphs = paragraphCount(text);
  const result = (kept: string, keptTokens: number, cut: ContextCut): ContextFitResult => ({
    text: kept,
    cut,
    keptTokens,
    totalTokens,
    budgetTokens: budget,
    keptParagraphs: paragraphCount(kept),
    totalParagraphs,
  });
  if (totalTokens <= budget) return result(text, totalTokens, null);
  // A boundary this far into the budget keeps most of it; an earlier one would waste it.
  const worthIt = (tokens: number) => tokens >= budget / 2;
  // Only the beginning can fit: about as many characters as the first budget tokens spell (twice
  // that, for tokens that merge differently at a cut). Keeps a long page's search short.
  const reach = 2 * tokenizer.decode(ids.slice(0, budget + 1)).length + 64;
  const head = text.slice(0, reach);
  for (const cut of ['paragraph', 'sentence', 'word'] as const) {
    const best = longestFitting(tokenizer, head, boundaries(head, cut), budget);
    if (best && worthIt(best.tokens)) return result(best.text, best.tokens, cut);
  }
  const best = longestFitting(tokenizer, head, characterEnds(head), budget);
  return best ? result(best.text, best.tokens, 'character') : result('', 0, 'character');
}

/** The engine request `context.fit` on the active model. */
export function fitContext(model: LoadedModel, payload: ContextFitPayload): ContextFitResult {
  const budget = contextBudget(model, payload.reserveTokens);
  return fitTextToTokens(model.tokenizer!, payload.text, budget);
}
