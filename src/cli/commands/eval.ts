// attune eval: how well a model (optionally with an adapter, optionally with retrieved few-shot
// demonstrations) answers held-out instruction/output pairs. Prints the mean cross-entropy per
// output token (and its perplexity) and the share of greedy answers that equal the reference.
// Examples are rendered exactly as training renders them (src/tuning/train/data.ts).
import * as tf from '@tensorflow/tfjs';
import type { Command } from '../command';
import { UsageError, type FlagValues } from '../args';
import { readExamples } from '../read-examples';
import { loadFromFlags, MODEL_FLAGS } from '../common-flags';
import { ADAPTER_FLAGS, adapterFromFlags, inferenceHooks } from '../adapter-flag';
import { adaptedModel } from '../../tuning/adapted-model';
import { forward, generate, type LoadedModel, type ModelTokenizer } from '../../model';
import type { ForwardHooks } from '../../model/types';
import { encodeExample, fitExample, type TrainingExample } from '../../tuning/train/data';
import { promptIdsWithDemonstrations, retrieveDemonstrations } from '../../tuning/train/demonstrations';
import { maskedNllSum } from '../../tuning/train/loss';
import { ExampleRetriever } from '../../retrieval';
import { adapterDemonstrations, noPoolWarning } from '../adapter-demonstrations';

export interface EvalSummary {
  /** Examples evaluated. */
  n: number;
  /** Output tokens the loss was averaged over. */
  tokens: number;
  /** Mean cross-entropy (nats) per output token. */
  loss: number;
  perplexity: number;
  /** Share of examples whose trimmed greedy answer equals the trimmed reference output, 0–1. */
  exactMatch: number;
  /** Demonstrations asked for per prompt (0 without --icl). */
  icl: number;
  /** Mean demonstrations actually used per prompt (fewer when few pool examples match or fit). */
  demonstrations: number;
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Held-out loss, perplexity and exact match of a model (+ adapter, + few-shot) on JSONL pairs',
  flags: {
    ...MODEL_FLAGS,
    ...ADAPTER_FLAGS,
    data: {
      type: 'string',
      required: true,
      description: 'held-out examples: JSONL (or a JSON array) of {instruction, input?, output}',
    },
    icl: {
      type: 'integer',
      description: 'prepend the K most similar --pool examples as earlier chat turns (default 0)',
    },
    pool: { type: 'string', description: 'examples to retrieve demonstrations from (needed with --icl, and used by an --adapter trained with demonstrations)' },
    'max-tokens': {
      type: 'integer',
      description: 'new tokens at most per greedy answer (default: reference length + 8)',
    },
    json: {
      type: 'boolean',
      description: 'print {n, tokens, loss, perplexity, exactMatch, icl, demonstrations} as JSON',
    },
  },
  async run(flags, io) {
    const requested = iclCount(flags);
    const examples = readExamples(flags.data as string);
    const pool = flags.pool ? readExamples(flags.pool as string) : [];
    const model = await loadFromFlags(flags, io);
    const adapter = adapterFromFlags(flags, model);
    try {
      // --icl decides when given; otherwise an adapter trained with demonstrations gets its own K.
      let k = requested;
      if (flags.icl === undefined) {
        k = adapterDemonstrations(adapter);
        if (k > 0 && !flags.pool) {
          io.err(noPoolWarning(k));
          k = 0;
        }
      }
      const summary = await evaluate(adaptedModel(model, adapter), examples, {
        pool,
        k,
        hooks: inferenceHooks(adapter),
        virtualTokens: adapter?.virtualTokens ?? 0,
        maxTokens: flags['max-tokens'] as number | undefined,
      });
      if (flags.json) return io.out(`${JSON.stringify(summary)}\n`);
      io.out(
        `examples:     ${summary.n} (${summary.tokens} output tokens${k > 0 ? `, ${summary.demonstrations.toFixed(2)} of at most ${k} demonstrations each` : ''})\n` +
          `loss:         ${summary.loss.toFixed(4)} per output token\nperplexity:   ${summary.perplexity.toFixed(3)}\n` +
          `exact match:  ${(summary.exactMatch * 100).toFixed(1)} %\n`,
      );
    } finally {
      adapter?.dispose();
      model.dispose();
    }
  },
};

function iclCount(flags: FlagValues): number {
  const k = (flags.icl as number | undefined) ?? 0;
  if (k < 0) throw new UsageError('--icl must be 0 or more');
  if (k > 0 && !flags.pool)
    throw new UsageError('--icl needs --pool <examples.jsonl> to retrieve demonstrations from');
  const maxTokens = flags['max-tokens'] as number | undefined;
  if (maxTokens !== undefined && maxTokens < 1) throw new UsageError('--max-tokens must be at least 1');
  return k;
}

// ---- evaluation -----------------------------------------------------------------------------

interface EvalOptions {
  pool: readonly TrainingExample[];
  k: number;
  hooks: ForwardHooks | undefined;
  /** Positions the adapter prepends (soft prompts): they take from the context. */
  virtualTokens?: number;
  maxTokens: number | undefined;
}

/**
 * One example's prompt (with demonstrations) and completion ids, fitted to the context. The least
 * similar demonstrations are dropped until the whole sequence fits, so a demonstration is never
 * cut in half; only a single over-long example is truncated (as training truncates it).
 */
export function evalSequence(
  tokenizer: ModelTokenizer,
  example: TrainingExample,
  demos: readonly TrainingExample[],
  contextLength: number,
) {
  const { prompt: plainPrompt, completion } = encodeExample(tokenizer, example);
  let kept = [...demos];
  let prompt = plainPrompt;
  while (kept.length > 0) {
    // The same rendering training uses for methods trained with demonstrations.
    prompt = promptIdsWithDemonstrations(tokenizer, kept, example);
    if (prompt.length + completion.length <= contextLength) break;
    kept = kept.slice(0, -1);
    prompt = plainPrompt;
  }
  const fitted = fitExample(prompt, completion, contextLength).example;
  const promptLength = fitted.lossMask.indexOf(1);
  return {
    ids: fitted.ids,
    lossMask: fitted.lossMask,
    prompt: fitted.ids.slice(0, promptLength),
    completionLength: fitted.ids.length - promptLength,
    demonstrations: kept.length,
  };
}

export async function evaluate(
  model: LoadedModel,
  examples: readonly TrainingExample[],
  options: EvalOptions,
): Promise<EvalSummary> {
  const tokenizer = model.tokenizer;
  if (!tokenizer) throw new UsageError('this model has no tokenizer.json, so examples cannot be encoded; add the tokenizer.json that came with the model to its folder');
  const retriever = options.k > 0 ? new ExampleRetriever(options.pool) : null;
  let nllSum = 0;
  let tokens = 0;
  let matches = 0;
  let demonstrations = 0;
  for (const example of examples) {
    // Never the example itself, when the pool contains it.
    const demos = retriever ? retrieveDemonstrations(retriever, example, options.k) : [];
    const seq = evalSequence(tokenizer, example, demos, model.config.maxPositions - (options.virtualTokens ?? 0));
    demonstrations += seq.demonstrations;
    nllSum += await sequenceNll(model, seq.ids, seq.lossMask, options.hooks);
    tokens += seq.lossMask.slice(1).reduce((a, b) => a + b, 0);
    const maxNewTokens = options.maxTokens ?? seq.completionLength + 8;
    const answer = await generate(model, seq.prompt, { greedy: true, maxNewTokens, hooks: options.hooks });
    if (answer.text.trim() === example.output.trim()) matches += 1;
  }
  const loss = nllSum / tokens;
  return {
    n: examples.length,
    tokens,
    loss,
    perplexity: Math.exp(loss),
    exactMatch: matches / examples.length,
    icl: options.k,
    demonstrations: demonstrations / examples.length,
  };
}

/** Summed NLL of the masked (output) tokens of one sequence, the same loss training minimises. */
async function sequenceNll(
  model: LoadedModel,
  ids: number[],
  lossMask: number[],
  hooks: ForwardHooks | undefined,
): Promise<number> {
  const total = tf.tidy(() => {
    const idsTensor = tf.tensor2d([ids], undefined, 'int32');
    const out = forward(model, { ids: idsTensor, hooks, logits: 'all' });
    return maskedNllSum(
      out.logits,
      idsTensor,
      tf.tensor2d([lossMask], undefined, 'float32'),
      out.prependedRows,
    );
  });
  const value = (await total.data())[0]!;
  total.dispose();
  return value;
}
