// A LoRA adapter on its own -> a GGUF LoRA adapter, the layout convert_lora_to_gguf.py writes and
// llama.cpp loads with --lora: general.type "adapter", adapter.type "lora", adapter.lora.alpha,
// and per targeted weight `<gguf name>.lora_a` (PEFT's A, [r, in]) and `.lora_b` (B, [out, r]),
// B's rows permuted like the weight for Llama's q/k. llama.cpp scales by alpha / r, so rsLoRA's
// alpha / sqrt(r) is written as alpha·sqrt(r). Read from the adapter's PEFT form (toPeft), which
// every LoRA adapter has, so this needs nothing of the method's internals.
import type { ModelConfig } from '../../model/types';
import type { PeftAdapter } from '../../tuning/types';
import { GgmlType } from './constants';
import { encode } from './encode';
import { GgufExportError } from './errors';
import { ggufArchitecture, type GgufWeightType } from './export-model';
import { ggufName, permutedHeads, permuteRows } from './tensor-names';
import { f32, str, u32, writeGguf, type GgufTensor, type MetadataValue } from './writer';

const LORA_KEY = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/;

export function loraAdapterToGguf(peft: { config: PeftAdapter["config"]; tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array }> }, model: ModelConfig, name: string, type: GgufWeightType): Uint8Array[] {
  const arch = ggufArchitecture(model);
  const config = peft.config;
  if (config.peft_type !== 'LORA') throw new GgufExportError(`a ${String(config.peft_type)} adapter has no llama.cpp adapter form (LoRA has); export it merged instead`);
  if (config.use_dora === true) throw new GgufExportError('llama.cpp adapters cannot hold DoRA magnitudes; export the model merged instead');
  const r = Number(config.r);
  const alpha = Number(config.lora_alpha);
  const metadata = new Map<string, MetadataValue>([
    ['general.architecture', str(arch)],
    ['general.type', str('adapter')],
    ['general.name', str(name)],
    ['adapter.type', str('lora')],
    ['adapter.lora.alpha', f32(config.use_rslora === true ? alpha * Math.sqrt(r) : alpha)],
    ['general.quantization_version', u32(2)],
  ]);
  const out: GgufTensor[] = [];
  for (const [key, tensor] of [...peft.tensors].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const match = LORA_KEY.exec(key);
    if (!match) throw new GgufExportError(`adapter tensor "${key}" is not a LoRA factor`);
    const [, module, factor] = match as unknown as [string, string, 'A' | 'B'];
    const target = ggufName(`${module}.weight`);
    if (!target || target.startsWith('token_embd') || target.startsWith('output.')) {
      throw new GgufExportError(`llama.cpp adapters cannot target ${module}`);
    }
    let data = tensor.data;
    const heads = factor === 'B' ? permutedHeads(arch, `${module}.weight`, { q: model.numHeads, kv: model.numKvHeads }) : null;
    if (heads !== null) data = permuteRows(data, tensor.shape[0]!, tensor.shape[1]!, heads);
    // convert_lora_to_gguf writes the factors in the requested type; Q8_0 needs rows of 32.
    const ggmlType = type === 'f32' ? GgmlType.F32 : type === 'q8_0' && tensor.shape[1]! % 32 === 0 ? GgmlType.Q8_0 : GgmlType.F16;
    out.push({ name: `${target}.lora_${factor.toLowerCase()}`, shape: tensor.shape, type: ggmlType, data: encode(data, ggmlType) });
  }
  if (out.length === 0) throw new GgufExportError('the adapter has no LoRA factors');
  return writeGguf(metadata, out);
}
