// attune export --format gguf: the model (with an adapter merged in, or not) or a LoRA adapter
// alone as a GGUF file for llama.cpp, Ollama, LM Studio (docs/interop.md). The file is written
// under a temporary name and renamed when complete, so a failed export leaves nothing behind.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from '../command';
import { UsageError } from '../args';
import { loadFromFlags, MODEL_FLAGS, resolveModelDir } from '../common-flags';
import { ADAPTER_FLAGS, adapterFromFlags } from '../adapter-flag';
import { readModelDirectory } from '../../model/node-files';
import { exportWeights, loraAdapterToGguf, modelToGguf, peftOnHost, type GgufWeightType } from '../../interop/gguf';

const TYPES: readonly GgufWeightType[] = ['f16', 'q8_0', 'f32'];

function jsonFile(files: Map<string, Uint8Array>, name: string): Record<string, unknown> {
  const bytes = files.get(name);
  return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>) : {};
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write the model (optionally merged with an adapter) or a LoRA adapter as a GGUF file',
  flags: {
    ...MODEL_FLAGS,
    ...ADAPTER_FLAGS,
    format: { type: 'string', required: true, description: 'gguf (the format llama.cpp, Ollama and LM Studio read)' },
    out: { type: 'string', required: true, description: 'the .gguf file to write' },
    type: { type: 'string', description: 'f16 (default) | q8_0 | f32: how the weight matrices are stored' },
    'adapter-only': { type: 'boolean', description: 'with --adapter (LoRA): write the adapter alone, for llama.cpp --lora / Ollama ADAPTER' },
  },
  async run(flags, io) {
    if (flags.format !== 'gguf') throw new UsageError(`--format must be gguf, got "${String(flags.format)}"`);
    const type = (flags.type as string | undefined) ?? 'f16';
    if (!TYPES.includes(type as GgufWeightType)) throw new UsageError(`--type must be f16, q8_0 or f32, got "${type}"`);
    if (flags['adapter-only'] && !flags.adapter) throw new UsageError('--adapter-only needs --adapter');
    const out = resolve(flags.out as string);
    const modelFlag = flags.model as string;
    const files = modelFlag.endsWith('.gguf') ? null : readModelDirectory(resolveModelDir(modelFlag));
    const model = await loadFromFlags(flags, io);
    const adapter = adapterFromFlags(flags, model);
    try {
      let parts: Uint8Array[];
      if (flags['adapter-only']) {
        parts = loraAdapterToGguf(await peftOnHost(adapter!), model.config, basename(resolve(flags.adapter as string)), type as GgufWeightType);
      } else {
        if (!files) throw new UsageError('--model must be a model folder (config.json, tokenizer.json) to export a model');
        parts = modelToGguf(
          {
            name: basename(resolveModelDir(modelFlag)),
            config: model.config,
            tensors: await exportWeights(model, adapter),
            tokenizerJson: jsonFile(files, 'tokenizer.json'),
            tokenizerConfig: jsonFile(files, 'tokenizer_config.json'),
          },
          type as GgufWeightType,
        );
      }
      const partial = `${out}.partial-${process.pid}`;
      try {
        writeFileSync(partial, Buffer.concat(parts));
        renameSync(partial, out);
      } catch (error) {
        rmSync(partial, { force: true });
        throw error;
      }
      const bytes = parts.reduce((n, p) => n + p.length, 0);
      io.out(`wrote ${out} (${(bytes / 1e6).toFixed(1)} MB, ${flags['adapter-only'] ? 'LoRA adapter' : 'model'}, ${type})\n`);
    } finally {
      adapter?.dispose();
      model.dispose();
    }
  },
};
