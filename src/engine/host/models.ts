// The base model the engine runs: which one is active, loading it once, and keeping it while a
// training run or a generation uses it. Loading goes through a ModelSource so the same engine
// runs on the model store in the browser and on a fixture folder in Node tests.
import { loadModel, type LoadedModel, type ModelFiles } from '../../model';
import type { TrainedModelOrigin } from '../../storage/schema';
import { EngineError, NoModelError } from './errors';

export interface ModelSource {
  /** The model chat and training use now, or null when none is installed. */
  activeModelId(): Promise<string | null>;
  /** The model's files and the id adapters record as PEFT `base_model_name_or_path`. */
  read(id: string): Promise<{ files: ModelFiles; peftBaseId: string }>;
  /**
   * Stores the files of a model a run trained (methods whose result is a whole model) as a new
   * model of this source, all or nothing; resolves with its id and name.
   */
  saveTrainedModel(model: TrainedModelFiles): Promise<{ id: string; name: string }>;
}

/** What a run hands the model source when its result is a whole model. */
export interface TrainedModelFiles {
  /** A Hugging Face model folder: config.json, model.safetensors, tokenizer files. */
  files: Map<string, Uint8Array>;
  /** The name the person gave the run; absent: the source names it after its base model. */
  name?: string;
  /** The method's label, for that default name. */
  methodLabel: string;
  /** Provenance (the model store adds its base model's name). */
  trainedFrom: Omit<TrainedModelOrigin, 'baseModelName'>;
}

export interface ActiveModel {
  /** Model-store id (adapters are stored under it). */
  id: string;
  /** PEFT base model id: the model's name ("tiny-llama"), or "bundled" for the shipped model. */
  peftBaseId: string;
  model: LoadedModel;
}

export class ModelCache {
  private loaded: { id: string; model: Promise<ActiveModel> } | null = null;
  private users = 0;

  constructor(
    private readonly source: ModelSource,
    /** Starts the compute backend before the first tensor is made. */
    private readonly ensureBackend: () => Promise<unknown>,
  ) {}

  /** The active model, loaded (the id is read each time: the user may switch in the Models tab). */
  async active(): Promise<ActiveModel> {
    const id = await this.source.activeModelId();
    if (!id) throw new NoModelError();
    return this.get(id);
  }

  async get(id: string): Promise<ActiveModel> {
    if (this.loaded?.id === id) return this.loaded.model;
    if (this.users > 0) {
      throw new EngineError('error.busy.model');
    }
    const previous = this.loaded;
    const model = this.load(id);
    this.loaded = { id, model };
    model.catch(() => {
      if (this.loaded?.model === model) this.loaded = null;
    });
    if (previous) void previous.model.then((m) => m.model.dispose()).catch(() => undefined);
    return model;
  }

  /** Runs `work` with the active model held: no switch can dispose it meanwhile. */
  async use<T>(work: (active: ActiveModel) => Promise<T>, id?: string): Promise<T> {
    const active = id === undefined ? await this.active() : await this.get(id);
    this.users += 1;
    try {
      return await work(active);
    } finally {
      this.users -= 1;
    }
  }

  /** The files of a stored model, read again (a trained model's folder starts from its base's). */
  async files(id: string): Promise<ModelFiles> {
    return (await this.source.read(id)).files;
  }

  /** Stores a trained whole model as a new model (the model store, in browsers). */
  saveTrainedModel(model: TrainedModelFiles): Promise<{ id: string; name: string }> {
    return this.source.saveTrainedModel(model);
  }

  get loadedId(): string | null {
    return this.loaded?.id ?? null;
  }

  dispose(): void {
    void this.loaded?.model.then((m) => m.model.dispose()).catch(() => undefined);
    this.loaded = null;
  }

  private async load(id: string): Promise<ActiveModel> {
    // The files are read (OPFS/IndexedDB, or disk in Node) while the backend starts (fetching
    // and compiling wasm): neither waits for the other; the weights need both.
    const [, { files, peftBaseId }] = await Promise.all([this.ensureBackend(), this.source.read(id)]);
    return { id, peftBaseId, model: await loadModel(files) };
  }
}
