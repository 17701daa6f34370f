// Public API of the tuning area (browser-safe: no Node imports; Node callers add
// './peft/node-dir'). The engine, the CLI and the UI import from here.
export * from './errors';
export type { Adapter, AdapterContext, ForwardMode, MethodConfigMap, MethodName, NamedVariable, PeftAdapter, TuningMethod } from './types';
export { METHOD_NAMES, allMethods, getMethod, isMethodName, methodForPeftType } from './registry';
export { linearModules, matchesTarget, type LinearModule } from './model-linears';
export { defaultTargets, loraScale, type LoraConfig } from './methods/lora/config';
export { LoraAdapter } from './methods/lora/method';
export { disposeReplaced, mergeLora, unmergeLora } from './methods/lora/merge';
export type { PromptInit, PromptTuningConfig } from './methods/prompt-tuning/config';
export { decodePeft, encodePeft, exportAdapter, importAdapter } from './peft/files';
export { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, type AdapterFiles } from './peft/layout';
export { unzipAdapter, zipAdapter } from './peft/zip';
export {
  dataStats,
  encodeExamples,
  exampleMessages,
  splitExamples,
  type DataStats,
  type EncodedExample,
  type TrainingExample,
} from './train/data';
export { chooseDefaults, type TrainSettings } from './train/defaults';
export { prepareTraining, type PrepareInput, type PreparedRun } from './train/prepare';
export { Trainer, type TrainProgress, type TrainResult, type TrainStatus, type TrainerInit } from './train/trainer';
export type { TrainerSnapshot } from './train/snapshot';
