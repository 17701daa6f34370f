// The leader's side of data-parallel training: a GradientSource that shares each step's
// micro-batches between this realm and N-1 workers (each its own tfjs instance, so its own core
// on wasm, where one instance runs every product on one thread). The leader sends the current
// trainable values with each step, computes its own share meanwhile, and adds every
// micro-batch's result in micro-batch order (gradients.ts OrderedSum), so a run's numbers do not
// depend on the worker count. Dropout seeds come from the trainer, one per micro-batch.
// Any worker failure stops every worker and ends the step with one TrainingWorkerError.
import * as tf from '@tensorflow/tfjs';
import { TrainingWorkerError } from '../../errors';
import { OrderedSum, microBatchGradients, type ForwardSetup, type GradientRequest, type GradientSource, type StepGradients } from '../gradients';
import { readVariables } from '../snapshot';
import { replyProblem, shareOut, type LeaderMessage, type MicroBatchReply, type WorkerReply, type WorkerSetup } from './protocol';

/** What the leader hears from one worker. */
export interface WorkerEvents {
  message(reply: unknown): void;
  /** The worker died or could not start (a thread error, an unexpected exit). */
  failure(detail: string): void;
}

/** One running worker, as a transport exposes it. */
export interface WorkerChannel {
  post(message: LeaderMessage): void;
  /** Stops the worker; resolves once it has ended. */
  terminate(): Promise<void>;
}

/** Starts one worker (a transport: worker_threads in Node, a Web Worker in a page). */
export type StartWorker = (events: WorkerEvents) => WorkerChannel;

export interface ParallelOptions {
  /** The leader's own model and adapter (it computes the first share). */
  forward: ForwardSetup;
  setup: WorkerSetup;
  /** Realms computing gradients, the leader included (at least 2). */
  realms: number;
  start: StartWorker;
}

interface Waiting {
  expected: Parameters<typeof replyProblem>[1];
  resolve(reply: WorkerReply): void;
  reject(error: Error): void;
}

class Worker {
  waiting: Waiting | null = null;
  channel: WorkerChannel | null = null;
  readonly ready: Promise<WorkerReply>;

  constructor(
    readonly index: number,
    keys: readonly string[],
    private readonly onProblem: (worker: Worker, detail: string) => void,
  ) {
    this.ready = this.expect({ type: 'ready', keys });
    // A failure before anyone awaits `ready` must not surface as an unhandled rejection.
    this.ready.catch(() => {});
  }

  expect(expected: Waiting['expected']): Promise<WorkerReply> {
    return new Promise((resolve, reject) => (this.waiting = { expected, resolve, reject }));
  }

  hear(reply: unknown): void {
    const waiting = this.waiting;
    if ((reply as { type?: unknown } | null)?.type === 'error') {
      const error = (reply as { error?: { message?: unknown } }).error;
      return this.onProblem(this, typeof error?.message === 'string' ? error.message : 'it reported an error without a message');
    }
    if (!waiting) return this.onProblem(this, 'it sent a message nobody asked for');
    const problem = replyProblem(reply, waiting.expected);
    if (problem) return this.onProblem(this, problem);
    this.waiting = null;
    waiting.resolve(reply as WorkerReply);
  }
}

export class ParallelGradientSource implements GradientSource {
  private readonly workers: Worker[] = [];
  private readonly sizes: Map<string, number>;
  private readonly shapes: Map<string, number[]>;
  private failure: TrainingWorkerError | null = null;
  private stopping: Promise<void> | null = null;
  private steps = 0;

  constructor(private readonly options: ParallelOptions) {
    if (!(options.realms >= 2)) throw new RangeError('a parallel gradient source needs at least 2 realms');
    const keys = options.forward.params.map(({ key }) => key);
    this.sizes = new Map(options.forward.params.map(({ key, variable }) => [key, variable.size]));
    this.shapes = new Map(options.forward.params.map(({ key, variable }) => [key, [...variable.shape]]));
    for (let index = 1; index < options.realms; index++) {
      const worker = new Worker(index, keys, (w, detail) => this.fail(w.index, detail));
      this.workers.push(worker);
      worker.channel = options.start({ message: (reply) => worker.hear(reply), failure: (detail) => this.fail(index, detail) });
      worker.channel.post({ type: 'init', setup: options.setup });
    }
  }

  /** Worker threads still running (0 once the source is closed or failed). */
  get liveWorkers(): number {
    return this.workers.filter((w) => w.channel !== null).length;
  }

  async compute(request: GradientRequest): Promise<StepGradients> {
    await this.throwIfFailed();
    if (this.stopping) throw new Error('This gradient source is closed.');
    await this.waitFor(this.workers.map((w) => w.ready));
    this.steps += 1;
    const step = this.steps;
    const shares = shareOut(request.micro.length, this.options.realms);
    const values = await readVariables(this.options.forward.params);
    const replies = this.workers.map((worker) => {
      const { start, end } = shares[worker.index]!;
      if (start === end) return null;
      const reply = worker.expect({ type: 'gradients', step, parts: end - start, sizes: this.sizes });
      reply.catch(() => {});
      worker.channel?.post({
        type: 'step',
        step,
        micro: request.micro.slice(start, end),
        seeds: request.seeds.slice(start, end),
        lossTokens: request.lossTokens,
        values,
      });
      return reply;
    });
    // The leader's share first (the workers compute theirs meanwhile), then theirs in order.
    const sum = new OrderedSum();
    try {
      const own = shares[0]!;
      for (let i = own.start; i < own.end; i++) {
        sum.add(microBatchGradients(this.options.forward, request.micro[i]!, request.seeds[i]!, request.lossTokens));
      }
      for (const reply of replies) {
        if (!reply) continue;
        const [answer] = (await this.waitFor([reply])) as [Extract<WorkerReply, { type: 'gradients' }>];
        for (const part of answer.parts) sum.add(this.toTensors(part));
      }
    } catch (error) {
      sum.dispose();
      throw error;
    }
    return sum.take();
  }

  /** Stops every worker (idempotent); resolves once all have ended. */
  close(): Promise<void> {
    this.stopping ??= Promise.all(
      this.workers.map(async (worker) => {
        const channel = worker.channel;
        if (!channel) return;
        await channel.terminate();
        worker.channel = null;
      }),
    ).then(() => undefined);
    return this.stopping;
  }

  private fail(index: number, detail: string): void {
    if (this.failure) return;
    this.failure = new TrainingWorkerError(index, detail);
    for (const worker of this.workers) {
      worker.waiting?.reject(this.failure);
      worker.waiting = null;
    }
    void this.close();
  }

  /** Awaits replies; on any failure, rejects only once every worker has ended. */
  private async waitFor(replies: Promise<WorkerReply>[]): Promise<WorkerReply[]> {
    try {
      return await Promise.all(replies);
    } catch (error) {
      await this.close();
      throw this.failure ?? error;
    }
  }

  private async throwIfFailed(): Promise<void> {
    if (!this.failure) return;
    await this.close();
    throw this.failure;
  }

  /** A worker's micro-batch result as tensors, keys in the leader's order (the norm sums in it). */
  private toTensors(part: MicroBatchReply): { value: tf.Scalar; grads: Map<string, tf.Tensor> } {
    const grads = new Map<string, tf.Tensor>();
    for (const [key, shape] of this.shapes) {
      const data = part.grads[key];
      if (data) grads.set(key, tf.tensor(data, shape));
    }
    return { value: tf.scalar(part.loss), grads };
  }
}
