// A PEFT adapter directory as bytes: adapter_config.json + adapter_model.safetensors, readable by
// Hugging Face PEFT (`PeftModel.from_pretrained`) and by Attune. I/O-free: callers read or write
// the bytes (IndexedDB, a download, the file system).
import * as tf from '@tensorflow/tfjs';
import type { HostTensor } from '../../model/safetensors';
import { readSafetensors, writeSafetensors } from '../../model/safetensors';
import { AdapterFormatError } from '../errors';
import { methodForPeftType } from '../registry';
import type { Adapter, AdapterContext, PeftAdapter } from '../types';
import { readString, type JsonObject } from './fields';

import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, type AdapterFiles } from './layout';

/** Serialises PEFT contents (tensors are read, not disposed). */
export async function encodePeft(peft: PeftAdapter): Promise<AdapterFiles> {
  const host = new Map<string, HostTensor>();
  for (const [key, tensor] of peft.tensors) host.set(key, { shape: [...tensor.shape], data: (await tensor.data()) as Float32Array });
  const config = new TextEncoder().encode(`${JSON.stringify(peft.config, null, 2)}\n`);
  // PEFT writes {"format": "pt"}; safetensors' torch loader expects it.
  return new Map([
    [ADAPTER_CONFIG_FILE, config],
    [ADAPTER_WEIGHTS_FILE, writeSafetensors(host, { format: 'pt' })],
  ]);
}

/** Parses the two files. The returned tensors belong to the caller. */
export function decodePeft(files: ReadonlyMap<string, Uint8Array>): PeftAdapter {
  const configBytes = files.get(ADAPTER_CONFIG_FILE);
  const weightBytes = files.get(ADAPTER_WEIGHTS_FILE);
  if (!configBytes) throw new AdapterFormatError(`${ADAPTER_CONFIG_FILE} is missing`);
  if (!weightBytes) throw new AdapterFormatError(`${ADAPTER_WEIGHTS_FILE} is missing (only the safetensors format is read)`);
  const config = parseConfig(configBytes);
  let host: Map<string, HostTensor>;
  try {
    host = readSafetensors(weightBytes, ADAPTER_WEIGHTS_FILE).tensors;
  } catch (error) {
    throw new AdapterFormatError((error as Error).message);
  }
  const tensors = new Map<string, tf.Tensor>();
  for (const [key, value] of host) tensors.set(key, tf.tensor(value.data, value.shape, 'float32'));
  return { config, tensors };
}

function parseConfig(bytes: Uint8Array): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new AdapterFormatError(`${ADAPTER_CONFIG_FILE} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AdapterFormatError(`${ADAPTER_CONFIG_FILE} must hold a JSON object`);
  }
  return parsed as JsonObject;
}

/** The adapter's PEFT files. */
export async function exportAdapter(adapter: Adapter): Promise<AdapterFiles> {
  const peft = adapter.toPeft();
  try {
    return await encodePeft(peft);
  } finally {
    for (const tensor of peft.tensors.values()) tensor.dispose();
  }
}

/**
 * Loads PEFT files for this model with the method their `peft_type` names. Throws
 * AdapterFormatError / UnknownMethodError / AdapterMismatchError with an actionable message.
 */
export function importAdapter(files: ReadonlyMap<string, Uint8Array>, context: AdapterContext): Adapter {
  const peft = decodePeft(files);
  try {
    const method = methodForPeftType(readString(peft.config, 'peft_type'), peft.config);
    return method.fromPeft(peft, context);
  } finally {
    for (const tensor of peft.tensors.values()) tensor.dispose();
  }
}
