// The end of a run whose method's result is a whole model (TuningMethod.modelFiles: full
// fine-tuning): the Hugging Face folder it makes from the trained weights and the base model's
// small files, stored as a new model through the model source (the model store in browsers, with
// its checks, quota and import lock; all or nothing).
import type { Adapter, TuningMethod } from '../../../tuning/types';
import type { ActiveModel, ModelCache, TrainedModelFiles } from '../models';

type ModelMakingMethod = TuningMethod & Required<Pick<TuningMethod, 'modelFiles'>>;

/** Whether this method's result is a model rather than an adapter. */
export function makesModel(method: TuningMethod): method is ModelMakingMethod {
  return method.modelFiles !== undefined;
}

export async function saveTrainedModel(
  models: ModelCache,
  active: ActiveModel,
  method: ModelMakingMethod,
  adapter: Adapter,
  details: Omit<TrainedModelFiles, 'files' | 'methodLabel'>,
): Promise<{ id: string; name: string }> {
  const base = asByteMap(await models.files(active.id));
  const files = await method.modelFiles(adapter, base);
  return models.saveTrainedModel({ ...details, files, methodLabel: method.text.en.label });
}

function asByteMap(files: Awaited<ReturnType<ModelCache['files']>>): Map<string, Uint8Array> {
  const entries = files instanceof Map ? [...files] : Object.entries(files);
  return new Map(entries.map(([name, bytes]) => [name, bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)]));
}
