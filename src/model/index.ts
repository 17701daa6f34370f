// Public API of the model runtime (browser-safe: no Node imports). Node callers add
// `readModelDirectory` / `loadModelFromDirectory` from './node-files'.
export { parseConfig } from './config';
export * from './errors';
export { forward, type ForwardInput, type ForwardOutput } from './forward';
export { disposeCache, type KVCache } from './kv-cache';
export { assembleModel, loadModel, parameterCount, type LoadedModel, type ModelFiles } from './model';
export { readCheckpoint, readSafetensors, writeSafetensors, type HostTensor, type SafetensorsFile } from './safetensors';
export type { ModelTokenizer } from './tokenizer';
export { ChatTemplateError, PLAIN_INSTRUCTION_TEMPLATE, type ChatMessage, type ChatTemplateOptions } from './chat-template';
export type { ForwardHooks, ModelConfig, ModelFamily, WeightMap } from './types';
export { generate, type GenerateOptions, type GenerateResult, type StopReason } from './generate';
export { createRng, sampleToken, type SamplingOptions } from './sampling';
