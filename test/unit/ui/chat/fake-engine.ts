// A fake engine for chat tests, implementing the same ChatEngine slice as EngineClient: streams a
// scripted answer piece by piece, and on abort rejects with EngineRequestError('cancelled'), as
// the real engine does after `request.cancel`. `hold()` pauses the stream so tests can press Stop.
import { EngineRequestError, type RequestOptions } from '../../../../src/engine/client/engine-client';
import type { GeneratePayload, GenerateResult } from '../../../../src/engine/protocol/types';
import type { ChatEngine } from '../../../../src/ui/chat/controller';

export class FakeEngine implements ChatEngine {
  readonly requests: GeneratePayload[] = [];
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  /** Called when a stream reaches the gate (after its first piece). */
  onHeld: (() => void) | null = null;

  constructor(private readonly answerFor: (payload: GeneratePayload) => string | Error) {}

  private startGate: Promise<void> | null = null;
  private openStartGate: (() => void) | null = null;

  /** Streams wait before their first piece until `start()` (the model "loading"). */
  holdStart(): void {
    this.startGate = new Promise((resolve) => (this.openStartGate = resolve));
  }

  start(): void {
    this.openStartGate?.();
    this.startGate = null;
  }

  /** Streams stop after their first piece until `release()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = null;
  }

  async request(
    _kind: 'model.generate',
    payload: GeneratePayload,
    options: RequestOptions<'model.generate'>,
  ): Promise<GenerateResult> {
    this.requests.push(structuredClone(payload));
    const answer = this.answerFor(payload);
    if (answer instanceof Error) throw answer;
    const pieces = answer.match(/\S+\s*/g) ?? [];
    if (this.startGate) await Promise.race([this.startGate, aborted(options.signal)]);
    for (const [i, piece] of pieces.entries()) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (options.signal?.aborted)
        throw new EngineRequestError({ code: 'cancelled', message: 'The request was cancelled.' });
      options.onProgress?.({ delta: piece });
      if (i === 0 && this.gate) {
        this.onHeld?.();
        await Promise.race([this.gate, aborted(options.signal)]);
      }
    }
    if (options.signal?.aborted)
      throw new EngineRequestError({ code: 'cancelled', message: 'The request was cancelled.' });
    return { text: answer, tokens: pieces.length, stopReason: 'eos' };
  }
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
}
