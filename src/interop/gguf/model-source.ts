// What export reads from a loaded model: its weights back in Hugging Face layout (the WeightMap
// holds linear weights as [in, out]; see src/model/weights.ts), with a mergeable adapter folded
// in through its method's own `merge`, and an adapter's PEFT factors as host arrays.
import type { LoadedModel } from '../../model/model';
import type { HostTensor } from '../../model/safetensors';
import type { WeightMap } from '../../model/types';
import { expectedTensors, transposeHost } from '../../model/weights';
import { getMethod } from '../../tuning/registry';
import type { Adapter } from '../../tuning/types';
import { disposeReplaced } from '../../tuning/weight-maps';
import { GgufExportError } from './errors';

async function hostTensors(model: LoadedModel, weights: WeightMap): Promise<Map<string, HostTensor>> {
  if (model.compact) throw new GgufExportError('the model is held compact in memory; load it in full to export it');
  const out = new Map<string, HostTensor>();
  for (const spec of expectedTensors(model.config)) {
    const tensor = weights.get(spec.name);
    if (!tensor) continue; // an optional tensor the checkpoint did not have
    const data = (await tensor.data()) as Float32Array;
    if (spec.layout === 'linear-out-in') {
      const [rows, cols] = spec.shape as [number, number]; // on disk [out, in]; in memory [in, out]
      out.set(spec.name, { shape: spec.shape, data: transposeHost(data, cols, rows) });
    } else {
      out.set(spec.name, { shape: spec.shape, data: Float32Array.from(data) });
    }
  }
  return out;
}

/**
 * The model's weights in Hugging Face names and layout; with an adapter, merged through the
 * method's `merge` (LoRA, DoRA, IA3) or taken from its trained copies (methods that train base weights).
 */
export async function exportWeights(model: LoadedModel, adapter: Adapter | null): Promise<Map<string, HostTensor>> {
  if (!adapter) return hostTensors(model, model.weights);
  const method = getMethod(adapter.method);
  if (adapter.virtualTokens > 0 || (!method.merge && adapter.weights(model.weights) === model.weights)) {
    throw new GgufExportError(`a ${adapter.method} adapter cannot be folded into the weights; only mergeable methods export as one model`);
  }
  const merged = method.merge ? method.merge(adapter, model.weights) : adapter.weights(model.weights);
  try {
    return await hostTensors(model, merged);
  } finally {
    if (method.merge) disposeReplaced(merged, model.weights);
  }
}

/** The adapter's PEFT form with its tensors read to the host (the tfjs tensors freed). */
export async function peftOnHost(adapter: Adapter): Promise<{ config: Record<string, unknown>; tensors: Map<string, HostTensor> }> {
  const peft = adapter.toPeft();
  try {
    const tensors = new Map<string, HostTensor>();
    for (const [key, tensor] of peft.tensors) tensors.set(key, { shape: tensor.shape, data: Float32Array.from(await tensor.data()) });
    return { config: peft.config, tensors };
  } finally {
    for (const tensor of peft.tensors.values()) tensor.dispose();
  }
}
