// attune generate: stream a continuation (or a chat reply) to stdout.
import type { Command } from '../command';
import { loadFromFlags, MODEL_FLAGS } from '../common-flags';
import { generate, type GenerateOptions } from '../../model';
import { promptIds, PROMPT_FLAGS } from './prompt-ids';
import { UsageError, type FlagValues } from '../args';
import { ADAPTER_FLAGS, adapterFromFlags, inferenceHooks } from '../adapter-flag';
import { adaptedModel } from '../../tuning/adapted-model';
import { adapterDemonstrations, noPoolWarning, POOL_FLAG } from '../adapter-demonstrations';
import { readExamples } from '../read-examples';
import type { LoadedModel } from '../../model';
import { ExampleRetriever } from '../../retrieval';
import { promptIdsWithDemonstrations, retrieveDemonstrations } from '../../tuning/train/demonstrations';
import type { TrainingExample } from '../../tuning/train/data';

export const generateCommand: Command = {
  name: 'generate',
  summary: 'Generate text from a prompt (streams to stdout)',
  flags: {
    ...MODEL_FLAGS,
    ...PROMPT_FLAGS,
    ...ADAPTER_FLAGS,
    ...POOL_FLAG,
    'max-tokens': { type: 'integer', description: 'new tokens at most (default 64)' },
    greedy: { type: 'boolean', description: 'always take the most likely token' },
    temperature: { type: 'number', description: 'sampling temperature (default 1)' },
    'top-k': { type: 'integer', description: 'sample among the k most likely tokens' },
    'top-p': { type: 'number', description: 'nucleus sampling threshold in (0, 1]' },
    'repetition-penalty': { type: 'number', description: 'penalise repeated tokens (> 1)' },
    stop: { type: 'string', description: 'stop when this text appears' },
    seed: { type: 'integer', description: 'sampling seed (default 0)' },
    stats: { type: 'boolean', description: 'print tokens and tokens/s to stderr' },
  },
  async run(flags, io) {
    const options = generateOptions(flags);
    const model = await loadFromFlags(flags, io);
    const adapter = adapterFromFlags(flags, model);
    try {
      const k = adapterDemonstrations(adapter);
      if (flags.pool && k === 0) throw new UsageError('--pool is for an --adapter trained with demonstrations (instruction-prompt-tuning); this one uses none');
      if (k > 0 && !flags.pool) io.err(noPoolWarning(k));
      const ids =
        k > 0 && flags.pool
          ? demonstrationPromptIds(model, flags.prompt as string, readExamples(flags.pool as string), k, (adapter?.virtualTokens ?? 0) + options.maxNewTokens!, io.err)
          : promptIds(model, flags);
      const started = performance.now();
      const result = await generate(adaptedModel(model, adapter), ids, { ...options, hooks: inferenceHooks(adapter), onText: (delta) => io.out(delta) });
      io.out('\n');
      if (flags.stats) {
        const seconds = (performance.now() - started) / 1000;
        io.err(`${result.tokens.length} tokens in ${seconds.toFixed(2)} s (${(result.tokens.length / seconds).toFixed(1)} tokens/s), stopped: ${result.stopReason}\n`);
      }
    } finally {
      adapter?.dispose();
      model.dispose();
    }
  },
};

/** Sampling settings are checked as Hugging Face transformers checks them, before the model loads. */
function generateOptions(flags: FlagValues): GenerateOptions {
  const temperature = flags.temperature as number | undefined;
  const topK = flags['top-k'] as number | undefined;
  const topP = flags['top-p'] as number | undefined;
  const repetitionPenalty = flags['repetition-penalty'] as number | undefined;
  const maxNewTokens = (flags['max-tokens'] as number | undefined) ?? 64;
  if (temperature !== undefined && !(temperature > 0)) {
    throw new UsageError('--temperature must be greater than 0 (1 leaves the distribution as it is); for greedy decoding pass --greedy');
  }
  if (topK !== undefined && !(topK >= 1)) throw new UsageError('--top-k must be a whole number of at least 1 (leave it out to keep every token)');
  if (topP !== undefined && !(topP > 0 && topP <= 1)) throw new UsageError('--top-p must be in (0, 1] (1 keeps every token)');
  if (repetitionPenalty !== undefined && !(repetitionPenalty > 0)) {
    throw new UsageError('--repetition-penalty must be greater than 0 (1 is no penalty, above 1 discourages repeats)');
  }
  if (maxNewTokens < 1) throw new UsageError('--max-tokens must be at least 1');
  return {
    maxNewTokens,
    greedy: flags.greedy === true,
    temperature,
    topK,
    topP,
    repetitionPenalty,
    seed: (flags.seed as number | undefined) ?? 0,
    stopStrings: flags.stop ? [flags.stop as string] : [],
  };
}

/**
 * The prompt as a chat request preceded by the K pool examples most similar to it, as the adapter
 * was trained; the least similar are dropped until the prompt leaves `reserve` positions (soft
 * prompt + answer) in the context.
 */
function demonstrationPromptIds(
  model: LoadedModel,
  prompt: string,
  pool: readonly TrainingExample[],
  k: number,
  reserve: number,
  err: (text: string) => void,
): number[] {
  if (!model.tokenizer) throw new UsageError('this model has no tokenizer.json, so text prompts cannot be encoded; add the tokenizer.json that came with the model to its folder');
  const request: TrainingExample = { instruction: prompt, output: '' };
  let demos = retrieveDemonstrations(new ExampleRetriever(pool), request, k);
  let ids = promptIdsWithDemonstrations(model.tokenizer, demos, request);
  while (demos.length > 0 && ids.length + reserve > model.config.maxPositions) {
    demos = demos.slice(0, -1);
    ids = promptIdsWithDemonstrations(model.tokenizer, demos, request);
  }
  err(`${demos.length} demonstration(s) retrieved from the pool\n`);
  return ids;
}
