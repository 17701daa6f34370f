// A random Llama-family checkpoint with the default model's shape (tools/pretrain/model_config.json,
// vocabulary 4096), so speed benches run before pretraining has produced public/model.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function writeRandomDefaultShape(dir: string): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { parseConfig } = await import('../../src/model/config');
  const { expectedTensors } = await import('../../src/model/weights');
  const { writeSafetensors } = await import('../../src/model/safetensors');
  const hf = { ...JSON.parse(readFileSync(join(ROOT, 'tools', 'pretrain', 'model_config.json'), 'utf8')), vocab_size: 4096 };
  const config = parseConfig(JSON.stringify(hf));
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const spec of expectedTensors(config)) {
    if (spec.optional && spec.name.endsWith('.bias')) continue;
    const isNorm = spec.shape.length === 1 && spec.name.endsWith('norm.weight');
    const data = isNorm ? new Float32Array(spec.shape[0]!).fill(1) : tf.tidy(() => tf.randomNormal(spec.shape, 0, 0.02, 'float32', tensors.size).dataSync() as Float32Array);
    tensors.set(spec.name, { shape: spec.shape, data });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hf));
  writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(tensors));
}

