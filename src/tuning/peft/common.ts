// The adapter_config.json fields every PEFT method shares, and the checks that refuse an adapter
// made for another base model before any tensor is touched.
import { AdapterFormatError, AdapterMismatchError, TuningConfigError } from '../errors';
import { readString, type JsonObject } from './fields';

export const PEFT_TASK_TYPE = 'CAUSAL_LM';

/** Shared fields, in the order PEFT writes them. */
export function commonPeftFields(peftType: string, baseModelId: string): JsonObject {
  return {
    peft_type: peftType,
    task_type: PEFT_TASK_TYPE,
    base_model_name_or_path: baseModelId,
    revision: null,
    inference_mode: true,
  };
}

/**
 * Refuses an adapter whose `base_model_name_or_path` names another model. An empty or missing
 * id (some exporters leave it out) is accepted; the tensor-shape checks still apply.
 */
export function checkBaseModel(json: JsonObject, baseModelId: string): void {
  const saved = readString(json, 'base_model_name_or_path', '');
  if (saved !== '' && saved !== baseModelId && baseName(saved) !== baseName(baseModelId)) {
    throw new AdapterMismatchError(`it was trained on "${saved}", but the loaded model is "${baseModelId}"`);
  }
  const task = readString(json, 'task_type', PEFT_TASK_TYPE);
  if (task !== PEFT_TASK_TYPE) {
    throw new AdapterMismatchError(`it is a ${task} adapter; Attune runs causal language models (CAUSAL_LM)`);
  }
}

/** "org/name" and "/models/name" refer to the same model when only the folder moved. */
function baseName(id: string): string {
  return id.replace(/\/+$/, '').split(/[\\/]/).pop() ?? id;
}

/**
 * Runs a method's model-free config validation on a loaded file. An impossible value is a broken
 * file, whatever model it names, so it is reported (by its adapter_config.json name, from
 * `peftFields`) before the base model is compared.
 */
export function refuseImpossibleValues(validate: () => void, peftFields: Record<string, string>): void {
  try {
    validate();
  } catch (error) {
    if (!(error instanceof TuningConfigError)) throw error;
    throw new AdapterFormatError(`adapter_config.json field "${peftFields[error.field] ?? error.field}": ${error.detail}`);
  }
}
