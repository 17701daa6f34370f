// The engine host: answers protocol requests from any number of connections (one per open page).
// It owns the model cache, the training controller and the generator, and disposes what it made.
// Transport-free: `connect(send)` gives a connection that takes raw messages and sends events,
// so the offscreen document (port-server.ts) and Node tests drive exactly the same code.
import type { AttuneDb } from '../../storage/db';
import { importAdapterZip } from './adapter-import';
import { mixStoredAdapters } from './adapter-mix';
import { toErrorInfo } from './errors';
import { fitContext } from './context-fit';
import { exportGgufFile } from './gguf-export';
import { Generator } from './generation';
import { ModelCache, type ModelSource } from './models';
import type { EngineEvent, EngineInfo, EngineRequest, EngineRequestOf, TrainState } from '../protocol/types';
import { DEFAULT_CHECKPOINTS, type CheckpointPolicy } from './training/checkpoints';
import { TrainController } from './training/controller';
import { isMethodName, methodSummaries } from '../../tuning/registry';
import { isEngineRequest, requestIdOf } from '../protocol/validate';

export interface EngineHostDeps {
  db: () => Promise<AttuneDb>;
  models: ModelSource;
  /** Starts the compute backend once; returns its name. */
  backend: () => Promise<string>;
  now?: () => number;
  newId?: () => string;
  checkpoints?: CheckpointPolicy;
}

export interface EngineConnection {
  /** Handles one raw message from the page (validated here). */
  receive(message: unknown): void;
  /** The page went away: stop its generations and watches (training goes on). */
  close(): void;
}

type Send = (event: EngineEvent) => void;

export class EngineHost {
  readonly models: ModelCache;
  readonly training: TrainController;
  readonly generator: Generator;
  private backendName: string | null = null;
  private readonly newId: () => string;

  constructor(private readonly deps: EngineHostDeps) {
    this.newId = deps.newId ?? (() => crypto.randomUUID());
    this.models = new ModelCache(deps.models, async () => {
      this.backendName ??= await deps.backend();
    });
    this.generator = new Generator(this.models, deps.db);
    this.training = new TrainController({
      db: deps.db,
      models: this.models,
      now: deps.now ?? Date.now,
      newId: this.newId,
      checkpoints: deps.checkpoints ?? DEFAULT_CHECKPOINTS,
      onAdapterSaved: () => this.generator.forgetAdapters(),
    });
  }

  connect(send: Send): EngineConnection {
    const inFlight = new Map<string, AbortController>();
    const unsubscribers = new Set<() => void>();
    let open = true;
    const safeSend: Send = (event) => {
      if (open) send(event);
    };
    return {
      receive: (message) => {
        if (!isEngineRequest(message, isMethodName)) {
          const id = requestIdOf(message);
          if (id) safeSend({ type: 'error', id, error: { code: 'malformed', message: 'The engine cannot read this request.' } });
          return;
        }
        const controller = new AbortController();
        inFlight.set(message.id, controller);
        const progress = (value: unknown) => safeSend({ type: 'progress', id: message.id, progress: value });
        this.dispatch(message, { progress, signal: controller.signal, inFlight, unsubscribers })
          .then((result) => safeSend({ type: 'result', id: message.id, result }))
          .catch((error: unknown) => safeSend({ type: 'error', id: message.id, error: toErrorInfo(error) }))
          .finally(() => inFlight.delete(message.id));
      },
      close: () => {
        open = false;
        for (const controller of inFlight.values()) controller.abort();
        for (const unsubscribe of unsubscribers) unsubscribe();
        inFlight.clear();
        unsubscribers.clear();
      },
    };
  }

  /** Continues a run interrupted by a restart (call once when the engine starts). */
  resumeUnfinished(): Promise<TrainState | null> {
    return this.training.resumeUnfinished();
  }

  info(): EngineInfo {
    return { backend: this.backendName, modelId: this.models.loadedId, mergedAdapterId: this.generator.mergedAdapterId };
  }

  dispose(): void {
    this.generator.dispose();
    this.models.dispose();
  }

  private async dispatch(request: EngineRequest, ctx: RequestContext): Promise<unknown> {
    switch (request.kind) {
      case 'train.start':
        return this.follow(ctx, () => this.training.start(request.payload));
      case 'train.methods':
        return methodSummaries();
      case 'train.defaults':
        return this.training.defaults(request.payload.examples, request.payload.method, request.payload);
      case 'train.watch':
        return this.follow(ctx, () => this.training.whenDone());
      case 'train.pause':
        return this.training.pause();
      case 'train.resume':
        return this.training.resume();
      case 'train.cancel':
        return this.training.cancel();
      case 'train.status':
        return this.training.status();
      case 'model.generate':
        return this.generator.run(request.payload, (delta) => ctx.progress({ delta }), ctx.signal);
      case 'context.fit':
        return this.models.use(async (active) => fitContext(active.model, request.payload));
      case 'request.cancel':
        return this.cancelRequest(request, ctx);
      case 'adapter.merge':
        await this.generator.merge(request.payload.adapterId);
        return this.info();
      case 'adapter.unmerge':
        this.generator.unmerge();
        return this.info();
      case 'adapter.import':
        return importAdapterZip(this.models, await this.deps.db(), request.payload, this.deps.now?.() ?? Date.now(), this.newId);
      case 'adapter.mix':
        return mixStoredAdapters(this.models, await this.deps.db(), request.payload, this.deps.now?.() ?? Date.now(), this.newId);
      case 'model.export':
        return exportGgufFile(this.models, this.deps.models, await this.deps.db(), request.payload, ctx.progress);
      case 'engine.info':
        return this.info();
    }
  }

  /** Streams training states to this connection until `work` settles. */
  private async follow(ctx: RequestContext, work: () => Promise<TrainState>): Promise<TrainState> {
    const unsubscribe = this.training.subscribe((state) => ctx.progress(state));
    ctx.unsubscribers.add(unsubscribe);
    try {
      return await work();
    } finally {
      unsubscribe();
      ctx.unsubscribers.delete(unsubscribe);
    }
  }

  private cancelRequest(request: EngineRequestOf<'request.cancel'>, ctx: RequestContext): { cancelled: boolean } {
    const target = ctx.inFlight.get(request.payload.requestId);
    target?.abort();
    return { cancelled: target !== undefined };
  }
}

interface RequestContext {
  progress(value: unknown): void;
  signal: AbortSignal;
  inFlight: Map<string, AbortController>;
  unsubscribers: Set<() => void>;
}
