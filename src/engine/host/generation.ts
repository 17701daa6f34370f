// Text generation for pages: the active model, optionally with a stored adapter (hooks) or the
// merged weights of a LoRA adapter, streaming text pieces as they become final.
import { generate, type GenerateOptions, type LoadedModel } from '../../model';
import type { WeightMap } from '../../model/types';
import type { AttuneDb } from '../../storage/db';
import { getAdapter } from '../../storage/adapters-repo';
import type { AdapterRecord } from '../../storage/schema';
import { adaptedModel } from '../../tuning/adapted-model';
import { getMethod } from '../../tuning/registry';
import { disposeReplaced } from '../../tuning/weight-maps';
import { AdapterCache, loadStoredAdapter } from './adapters';
import { AdapterModelMismatchError, AdapterNotFoundError, EngineError, NotMergeableError } from './errors';
import type { ActiveModel, ModelCache } from './models';
import type { GeneratePayload, GenerateResult, SamplingPayload } from '../protocol/types';

/** Token ids of a request: a chat is rendered exactly as training renders prompts. */
export function promptIdsFor(model: LoadedModel, payload: Pick<GeneratePayload, 'prompt' | 'messages'>): number[] {
  const tokenizer = model.tokenizer;
  if (!tokenizer) throw new EngineError('error.no-tokenizer');
  const ids = payload.messages
    ? tokenizer.encode(tokenizer.applyChatTemplate(payload.messages, { addGenerationPrompt: true }), { addSpecialTokens: false })
    : tokenizer.encode(payload.prompt ?? ''); // raw prompts encode like `attune generate --prompt`
  if (ids.length === 0) throw new EngineError('error.malformed.empty-prompt');
  return ids;
}

/**
 * New tokens that still fit the context: the runtime's own check does not count the positions a
 * soft prompt prepends, so the engine keeps prompt + virtual tokens + new tokens within it.
 */
export function fitNewTokens(model: LoadedModel, promptLength: number, virtualTokens: number, requested: number): number {
  return Math.max(0, Math.min(requested, model.config.maxPositions - virtualTokens - promptLength));
}

export function samplingOptions(sampling: SamplingPayload = {}): GenerateOptions {
  const { greedy, maxNewTokens, ...rest } = sampling;
  return { ...rest, greedy: greedy ?? true, maxNewTokens: Math.max(0, Math.min(maxNewTokens ?? 64, 1024)) };
}

/** A LoRA adapter folded into a copy of the base weights. */
interface Merged {
  adapterId: string;
  modelId: string;
  weights: WeightMap;
  base: WeightMap;
}

export class Generator {
  private readonly adapters = new AdapterCache();
  private merged: Merged | null = null;

  constructor(
    private readonly models: ModelCache,
    private readonly db: () => Promise<AttuneDb>,
  ) {}

  get mergedAdapterId(): string | null {
    return this.merged?.adapterId ?? null;
  }

  async run(payload: GeneratePayload, onDelta: (delta: string) => void, signal: AbortSignal): Promise<GenerateResult> {
    return this.models.use(async (active) => {
      const ids = promptIdsFor(active.model, payload);
      const options: GenerateOptions = { ...samplingOptions(payload.sampling), signal, onText: onDelta };
      const { hooks, model, virtualTokens, release } = await this.adapterFor(active, payload.adapterId);
      try {
        options.maxNewTokens = fitNewTokens(active.model, ids.length, virtualTokens, options.maxNewTokens!);
        if (options.maxNewTokens === 0) return { text: '', tokens: 0, stopReason: 'context-full' };
        const result = await generate(model, ids, { ...options, hooks });
        return { text: result.text, tokens: result.tokens.length, stopReason: result.stopReason };
      } finally {
        release();
      }
    });
  }

  /** Folds a stored LoRA adapter into the active model's weights (one merged adapter at a time). */
  async merge(adapterId: string): Promise<void> {
    await this.models.use(async (active) => {
      const record = await this.record(adapterId, active);
      const adapter = loadStoredAdapter(record, active);
      try {
        const method = getMethod(adapter.method);
        // Generic: soft prompts add positions, bottleneck adapters a nonlinear branch; neither folds into weights.
        if (!method.merge) throw new NotMergeableError(`the ${method.name} method cannot be folded into the model's weights`);
        const base = active.model.weights;
        let weights: WeightMap;
        try {
          weights = method.merge(adapter, base);
        } catch (error) {
          throw new NotMergeableError((error as Error).message);
        }
        this.unmerge();
        this.merged = { adapterId, modelId: active.id, weights, base };
      } finally {
        adapter.dispose();
      }
    });
  }

  unmerge(): void {
    if (this.merged) disposeReplaced(this.merged.weights, this.merged.base);
    this.merged = null;
  }

  /** Forget cached adapter state (an adapter was deleted or replaced). */
  forgetAdapters(): void {
    this.adapters.dispose();
  }

  dispose(): void {
    this.unmerge();
    this.adapters.dispose();
  }

  private isMerged(active: ActiveModel, adapterId: string | null): boolean {
    return adapterId !== null && this.merged?.adapterId === adapterId && this.merged.modelId === active.id;
  }

  private modelFor(active: ActiveModel, adapterId: string | null): LoadedModel {
    return this.isMerged(active, adapterId) ? { ...active.model, weights: this.merged!.weights } : active.model;
  }

  /** The model to run (merged weights, or the adapter's trained weights in place) and the adapter's hooks. */
  private async adapterFor(
    active: ActiveModel,
    adapterId: string | null,
  ): Promise<{ hooks?: GenerateOptions['hooks']; model: LoadedModel; virtualTokens: number; release(): void }> {
    if (adapterId === null || this.isMerged(active, adapterId)) return { model: this.modelFor(active, adapterId), virtualTokens: 0, release: () => undefined };
    const { adapter, release } = this.adapters.acquire(await this.record(adapterId, active), active);
    return { hooks: adapter.hooks({ training: false }), model: adaptedModel(active.model, adapter), virtualTokens: adapter.virtualTokens, release };
  }

  private async record(adapterId: string, active: ActiveModel): Promise<AdapterRecord> {
    const record = await getAdapter(await this.db(), adapterId);
    if (!record) throw new AdapterNotFoundError(adapterId);
    if (record.modelId !== active.id) throw new AdapterModelMismatchError(record.name, record.modelId);
    return record;
  }
}
