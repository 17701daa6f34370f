// GGUF (llama.cpp's file format) in and out: export a model (merged with an adapter or not) or a
// LoRA adapter alone; import a GGUF model as the Hugging Face files Attune stores. docs/interop.md.
export { GgufArchitectureError, GgufCorruptError, GgufExportError, GgufTensorTypeError, GgufTokenizerError } from './errors';
export { ggufArchitecture, modelToGguf, type GgufModelSource, type GgufWeightType } from './export-model';
export { loraAdapterToGguf } from './export-adapter';
export { ggufToModelFiles, type GgufBlob } from './import-model';
export { exportWeights, peftOnHost } from './model-source';
export { concatParts } from './writer';
