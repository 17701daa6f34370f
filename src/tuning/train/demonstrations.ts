// Retrieved demonstrations for methods that train with them (TuningMethod.demonstrations): the K
// most similar other examples, found by the same retrieval as the chat's few-shot mode and
// `attune eval --icl`, rendered as the same earlier chat turns (demonstrationMessages over
// exampleMessages), so training, evaluation, generation and the chat see identical turns.
import type { ChatMessage } from '../../model/chat-template';
import type { ModelTokenizer } from '../../model/tokenizer';
import { ExampleRetriever, demonstrationMessages, sameExample } from '../../retrieval';
import { encodeExample, exampleMessages, type TokenizedExample, type TrainingExample } from './data';

/** The K pool examples most similar to `example`, best first; never the example itself (or a copy). */
export function retrieveDemonstrations<T extends TrainingExample>(
  retriever: ExampleRetriever<T>,
  example: TrainingExample,
  k: number,
): T[] {
  if (k <= 0) return [];
  // Every match, so dropping the example's own copies (however many the pool holds) still leaves K.
  return retriever
    .topK(example, Number.POSITIVE_INFINITY)
    .map((d) => d.item)
    .filter((d) => !sameExample(d, example))
    .slice(0, k);
}

/** Picks K demonstrations per example from `pool` (never the example itself); for callers outside tuning. */
export function demonstrationPicker<T extends TrainingExample>(pool: readonly T[], k: number): (example: TrainingExample) => T[] {
  const retriever = new ExampleRetriever(pool);
  return (example) => retrieveDemonstrations(retriever, example, k);
}

/** Demonstrations as earlier turns, then the example's own user turn. */
export function messagesWithDemonstrations(demos: readonly TrainingExample[], example: TrainingExample): ChatMessage[] {
  return [...demonstrationMessages(demos, exampleMessages), ...exampleMessages(example)];
}

/** Token ids of the chat up to the assistant's opening, as training and generation encode it. */
export function promptIdsWithDemonstrations(tokenizer: ModelTokenizer, demos: readonly TrainingExample[], example: TrainingExample): number[] {
  const text = tokenizer.applyChatTemplate(messagesWithDemonstrations(demos, example), { addGenerationPrompt: true });
  return tokenizer.encode(text, { addSpecialTokens: false });
}

/**
 * Tokenises examples each with up to K demonstrations retrieved from `pool` (for held-out examples
 * the training examples only). The completion is the example's own output, so the loss falls on it
 * alone; the prompts with 1…n demonstrations are kept so fitting can drop whole demonstrations.
 */
export function tokenizeWithDemonstrations(
  tokenizer: ModelTokenizer,
  examples: readonly TrainingExample[],
  pool: readonly TrainingExample[],
  k: number,
): TokenizedExample[] {
  const retriever = new ExampleRetriever(pool);
  return examples.map((example) => {
    const plain = encodeExample(tokenizer, example);
    const demos = retrieveDemonstrations(retriever, example, k);
    const demonstrationPrompts = demos.map((_, i) => promptIdsWithDemonstrations(tokenizer, demos.slice(0, i + 1), example));
    return { ...plain, demonstrationPrompts };
  });
}
