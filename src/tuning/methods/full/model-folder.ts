// A fully fine-tuned model as a Hugging Face model folder: the base model's config.json and
// tokenizer files as they were (the architecture and vocabulary do not change) and a new
// model.safetensors holding every trained weight under its Hugging Face name and in the
// checkpoint layout (Llama-family linear weights back to [out, in]). Any loader of model folders
// reads it: `attune … --model DIR`, and the extension's model import (src/model-store).
import { writeSafetensors, type HostTensor } from '../../../model/safetensors';
import type { PeftAdapter } from '../../types';

export const MODEL_WEIGHTS_FILE = 'model.safetensors';

/** Weight files of the base folder, replaced by the new model.safetensors rather than copied. */
const BASE_WEIGHT_FILE = /(\.safetensors|\.safetensors\.index\.json|\.bin|\.pt|\.pth|\.gguf)$/;

/**
 * The folder's files: `base` (file name -> bytes: config.json, tokenizer files, ...; weight files
 * are left out) plus model.safetensors from `trained` (a full adapter's toPeft(), whose tensors
 * are already named and laid out as a checkpoint; they are read, not disposed).
 */
export async function modelFolderFiles(trained: PeftAdapter, base: ReadonlyMap<string, Uint8Array>): Promise<Map<string, Uint8Array>> {
  const host = new Map<string, HostTensor>();
  for (const [name, tensor] of trained.tensors) host.set(name, { shape: [...tensor.shape], data: (await tensor.data()) as Float32Array });
  const files = new Map<string, Uint8Array>();
  for (const [name, bytes] of base) if (!BASE_WEIGHT_FILE.test(name)) files.set(name, bytes);
  files.set(MODEL_WEIGHTS_FILE, writeSafetensors(host, { format: 'pt' }));
  return files;
}
