// Autoregressive generation with a KV cache: prefill the prompt once, then one token per step.
import { GenerationAbortedError, InvalidInputError } from './errors';
import { forward } from './forward';
import { disposeCache, type KVCache } from './kv-cache';
import type { LoadedModel } from './model';
import { createRng, sampleToken, type SamplingOptions } from './sampling';
import type { ForwardHooks } from './types';

export interface GenerateOptions extends SamplingOptions {
  /** Upper bound on new tokens. Default 64. */
  maxNewTokens?: number;
  /** Seed of the sampling PRNG (ignored for greedy). Default 0. */
  seed?: number;
  /** Token ids that end generation; defaults to the model's EOS ids. Not included in the output. */
  stopTokenIds?: readonly number[];
  /** Strings that end generation (needs the tokenizer); the text is cut before the stop string. */
  stopStrings?: readonly string[];
  /** Called after each new token (stop tokens are not reported). */
  onToken?: (token: number) => void;
  /**
   * Streaming text: called with each piece of new text once it is final. Text that could be the
   * start of a stop string or of a multi-byte character is held back until it is decided; the
   * pieces always concatenate to `GenerateResult.text`.
   */
  onText?: (delta: string) => void;
  signal?: AbortSignal;
  hooks?: ForwardHooks;
  /** false recomputes the whole sequence each step (reference path, for tests and the bench). */
  useCache?: boolean;
}

export type StopReason = 'eos' | 'stop-string' | 'max-tokens' | 'context-full';

export interface GenerateResult {
  /** New tokens only. */
  tokens: number[];
  /** Decoded new text ('' without a tokenizer), cut before a matched stop string. */
  text: string;
  stopReason: StopReason;
}

/** Generates after `prompt` (token ids). Async so the caller's event loop (and cancellation) can run between steps. */
export async function generate(model: LoadedModel, prompt: readonly number[], options: GenerateOptions = {}): Promise<GenerateResult> {
  if (prompt.length === 0) throw new InvalidInputError('The prompt is empty; give at least one token.');
  const maxNew = options.maxNewTokens ?? 64;
  const stopIds = new Set(options.stopTokenIds ?? model.tokenizer?.eosTokenIds ?? model.config.eosTokenIds);
  const stopStrings = options.stopStrings ?? [];
  if (stopStrings.length > 0 && !model.tokenizer) throw new InvalidInputError('Stop strings need a model with a tokenizer.');
  const random = createRng(options.seed ?? 0);
  const text = new TextTracker(model, stopStrings);
  const tokens: number[] = [];
  const stepper = new Stepper(model, options.hooks, options.useCache !== false);
  const finish = (stopReason: StopReason): GenerateResult => {
    const rest = text.flush();
    if (rest) options.onText?.(rest);
    return { tokens, text: text.text, stopReason };
  };
  try {
    if (maxNew <= 0) return finish('max-tokens');
    let logits = await stepper.prefill(prompt);
    while (true) {
      if (options.signal?.aborted) throw new GenerationAbortedError();
      const next = sampleToken(logits, [...prompt, ...tokens], options, random);
      if (stopIds.has(next)) return finish('eos');
      tokens.push(next);
      options.onToken?.(next);
      const delta = text.push(next);
      if (delta) options.onText?.(delta);
      if (text.stopped) return finish('stop-string');
      if (tokens.length >= maxNew) return finish('max-tokens');
      if (prompt.length + tokens.length >= stepper.capacity) return finish('context-full');
      await yieldToEventLoop();
      if (options.signal?.aborted) throw new GenerationAbortedError();
      logits = await stepper.step([...prompt, ...tokens]);
    }
  } finally {
    stepper.dispose();
  }
}

/** Runs the model one step at a time, owning the KV cache between steps. */
class Stepper {
  private cache: KVCache | null = null;
  readonly capacity: number;

  constructor(
    private readonly model: LoadedModel,
    private readonly hooks: ForwardHooks | undefined,
    private readonly useCache: boolean,
  ) {
    this.capacity = model.config.maxPositions;
  }

  /** Logits of the last prompt position. */
  prefill(prompt: readonly number[]): Promise<Float32Array> {
    return this.run([...prompt], null);
  }

  /** Logits after appending the last token of `sequence`. */
  step(sequence: readonly number[]): Promise<Float32Array> {
    if (!this.useCache) return this.run([...sequence], null);
    return this.run([sequence[sequence.length - 1]!], this.cache);
  }

  /** Reads logits asynchronously: WebGPU has no synchronous readback in Node, and it blocks pages. */
  private async run(ids: number[], cache: KVCache | null): Promise<Float32Array> {
    const out = forward(this.model, { ids: [ids], cache, useCache: this.useCache, hooks: this.hooks, logits: 'last' });
    if (cache !== out.cache) disposeCache(cache);
    this.cache = out.cache;
    try {
      return new Float32Array(await out.logits.data());
    } finally {
      out.logits.dispose();
    }
  }

  dispose(): void {
    disposeCache(this.cache);
    this.cache = null;
  }
}

/** Decodes incrementally and watches for stop strings. */
class TextTracker {
  private readonly ids: number[] = [];
  private emitted = '';
  text = '';
  stopped = false;

  constructor(
    private readonly model: LoadedModel,
    private readonly stopStrings: readonly string[],
  ) {}

  /** Adds a token; returns text that is now final (held back while it may still start a stop string or a multi-byte character). */
  push(id: number): string {
    const tokenizer = this.model.tokenizer;
    if (!tokenizer) return '';
    this.ids.push(id);
    let full = tokenizer.decode(this.ids, { skipSpecialTokens: true });
    const hit = this.firstStop(full);
    if (hit >= 0) {
      full = full.slice(0, hit);
      this.stopped = true;
    }
    this.text = full;
    if (this.stopped) return this.flush();
    // An incomplete UTF-8 sequence decodes to U+FFFD at the end: wait for the rest.
    const settled = full.replace(/\uFFFD+$/, '');
    return this.emitUpTo(settled.slice(0, settled.length - this.possibleStopStart(settled)));
  }

  /** Everything not yet emitted (at the end of generation). */
  flush(): string {
    return this.emitUpTo(this.text);
  }

  private emitUpTo(target: string): string {
    if (!target.startsWith(this.emitted)) return '';
    const delta = target.slice(this.emitted.length);
    this.emitted = target;
    return delta;
  }

  /** Length of the longest tail of `text` that begins some stop string. */
  private possibleStopStart(text: string): number {
    let longest = 0;
    for (const s of this.stopStrings) {
      for (let k = Math.min(s.length - 1, text.length); k > longest; k--) {
        if (text.endsWith(s.slice(0, k))) {
          longest = k;
          break;
        }
      }
    }
    return longest;
  }

  private firstStop(text: string): number {
    let first = -1;
    for (const s of this.stopStrings) {
      const at = s ? text.indexOf(s) : -1;
      if (at >= 0 && (first < 0 || at < first)) first = at;
    }
    return first;
  }
}

/**
 * Lets other tasks (an abort, a UI event) run between steps without the 1-4 ms clamp of
 * setTimeout: setImmediate in Node, a MessageChannel round trip in browsers and workers.
 */
function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  if (immediate) return new Promise((resolve) => immediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
