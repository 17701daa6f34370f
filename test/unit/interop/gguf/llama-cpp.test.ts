// Exported GGUF files checked by real llama.cpp (node-llama-cpp 3.21.1, its prebuilt CPU binary):
// for the shipped model (f16 and q8_0), the shipped model merged with a LoRA, the shipped model
// plus the LoRA as a llama.cpp adapter (--lora), and the tiny Qwen2 fixture, llama.cpp's token ids
// for a mixed English/Chinese/emoji chat prompt equal Attune's, the chat template stored in the file
// renders (node-llama-cpp's Jinja wrapper) the same prompt, and its greedy continuation equals
// Attune's: 32 tokens at f16, the first 8 at q8_0 (Q8_0 rounds every weight, so later tokens may
// part where two logits are close).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { getLlama, JinjaTemplateChatWrapper, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generate, type LoadedModel } from '../../../../src/model';
import { readModelDirectory } from '../../../../src/model/node-files';
import { loadModel } from '../../../../src/model/model';
import type { ForwardHooks } from '../../../../src/model/types';
import { exportWeights, loraAdapterToGguf, modelToGguf, peftOnHost, type GgufWeightType } from '../../../../src/interop/gguf';
import { getMethod } from '../../../../src/tuning/registry';
import type { Adapter } from '../../../../src/tuning/types';
import { useBackend } from '../../model/parity-helpers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const SHIPPED = join(ROOT, 'public', 'model');
const QWEN2 = join(ROOT, 'test', 'fixtures', 'models', 'tiny-qwen2');
// Its greedy answer runs past 32 tokens without an end-of-turn token: llama.cpp's evaluate stops at
// one, so a shorter answer would compare fewer tokens.
const MESSAGE = 'Tell me about the ocean 海洋 🌊 and the harbor 港口 🙂.';
const QWEN2_MESSAGE = 'Hi 港口 🙂';

let llama: Llama;
let work: string;
const loaded: LoadedModel[] = [];

beforeAll(async () => {
  await useBackend('wasm');
  llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  work = mkdtempSync(join(tmpdir(), 'attune-gguf-'));
}, 120_000);
afterAll(async () => {
  for (const model of loaded) model.dispose();
  await llama?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function load(dir: string) {
  const files = readModelDirectory(dir);
  const model = await loadModel(files);
  loaded.push(model);
  const json = (name: string) => JSON.parse(new TextDecoder().decode(files.get(name)!)) as Record<string, unknown>;
  return { model, tokenizerJson: json('tokenizer.json'), tokenizerConfig: json('tokenizer_config.json') };
}

function write(name: string, parts: Uint8Array[]): string {
  const path = join(work, name);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

/** llama.cpp's ids for the text (special tokens parsed) and its greedy continuation. */
async function llamaCpp(modelPath: string, text: string, steps: number, loraPath?: string): Promise<{ ids: number[]; continuation: number[] }> {
  const model = await llama.loadModel({ modelPath });
  try {
    const ids = Array.from(model.tokenize(text, true));
    const context = await model.createContext({
      contextSize: Math.min(256, model.trainContextSize),
      threads: 1,
      lora: loraPath ? { adapters: [{ filePath: loraPath }] } : undefined,
    });
    try {
      const continuation: number[] = [];
      for await (const token of context.getSequence().evaluate(ids, { temperature: 0 })) {
        continuation.push(token);
        if (continuation.length >= steps) break;
      }
      return { ids, continuation };
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}

/** The chat prompt node-llama-cpp renders from the template stored in the file, and its ids. */
async function llamaCppChat(modelPath: string, message: string): Promise<{ text: string; ids: number[] }> {
  const model = await llama.loadModel({ modelPath });
  try {
    const template = model.fileInfo.metadata.tokenizer.chat_template;
    if (typeof template !== 'string') throw new Error('no tokenizer.chat_template in the file');
    const wrapper = new JinjaTemplateChatWrapper({ template, tokenizer: model.tokenizer });
    const { contextText } = wrapper.generateContextState({ chatHistory: [{ type: 'user', text: message }, { type: 'model', response: [] }] });
    return { text: contextText.toString(), ids: Array.from(contextText.tokenize(model.tokenizer)) };
  } finally {
    await model.dispose();
  }
}

/** Attune's ids and greedy continuation (no stop tokens, so both sides run the same number of steps). */
async function attune(model: LoadedModel, text: string, steps: number, hooks?: ForwardHooks) {
  const ids = model.tokenizer!.encode(text);
  const result = await generate(model, ids, { greedy: true, maxNewTokens: steps, stopTokenIds: [], hooks });
  const stops = result.tokens.filter((id) => model.tokenizer!.eosTokenIds.includes(id));
  expect(stops, 'the prompt must give an answer longer than the compared tokens').toEqual([]);
  return { ids, continuation: result.tokens };
}

function chatPrompt(model: LoadedModel, message: string): string {
  return model.tokenizer!.applyChatTemplate([{ role: 'user', content: message }], { addGenerationPrompt: true });
}

/** A LoRA on every attention and MLP projection with random non-zero B, so it changes the output. */
function randomLora(model: LoadedModel): Adapter {
  const method = getMethod('lora');
  const config = { ...method.defaultConfig(model.config), r: 4, alpha: 8, dropout: 0 };
  const adapter = method.create(config, { model: model.config, weights: model.weights, baseModelId: 'bundled', seed: 7 });
  let seed = 11;
  for (const { key, variable } of adapter.trainable()) {
    if (key.includes('lora_B')) variable.assign(tf.randomNormal(variable.shape, 0, 0.2, 'float32', seed++));
  }
  return adapter;
}

describe('llama.cpp runs the GGUF files Attune exports', () => {
  test('the shipped model, f16 and q8_0: same prompt ids, same greedy continuation', async () => {
    const { model, tokenizerJson, tokenizerConfig } = await load(SHIPPED);
    const before = tf.memory().numTensors;
    const tensors = await exportWeights(model, null);
    const prompt = chatPrompt(model, MESSAGE);
    const reference = await attune(model, prompt, 32);
    expect(reference.ids.length).toBeGreaterThan(20);
    for (const [type, steps] of [['f16', 32], ['q8_0', 8]] as [GgufWeightType, number][]) {
      const path = write(`shipped-${type}.gguf`, modelToGguf({ name: 'attune-default', config: model.config, tensors, tokenizerJson, tokenizerConfig }, type));
      const got = await llamaCpp(path, prompt, steps);
      expect(got.ids, type).toEqual(reference.ids);
      expect(got.continuation, type).toEqual(reference.continuation.slice(0, steps));
    }
    // The chat template travels in the file: rendered there, the same text and ids.
    expect(await llamaCppChat(join(work, 'shipped-f16.gguf'), MESSAGE)).toEqual({ text: prompt, ids: reference.ids });
    expect(tf.memory().numTensors).toBe(before);
  }, 180_000);

  test('the shipped model merged with a LoRA, and the LoRA as a llama.cpp adapter', async () => {
    const { model, tokenizerJson, tokenizerConfig } = await load(SHIPPED);
    const adapter = randomLora(model);
    try {
      const before = tf.memory().numTensors;
      const prompt = chatPrompt(model, MESSAGE);
      const base = await attune(model, prompt, 32);
      const tuned = await attune(model, prompt, 32, adapter.hooks({ training: false }));
      expect(tuned.continuation, 'the LoRA must change the continuation for this check to mean anything').not.toEqual(base.continuation);

      const merged = write('merged-f16.gguf', modelToGguf({ name: 'merged', config: model.config, tensors: await exportWeights(model, adapter), tokenizerJson, tokenizerConfig }, 'f16'));
      const mergedRun = await llamaCpp(merged, prompt, 32);
      expect(mergedRun.ids).toEqual(tuned.ids);
      expect(mergedRun.continuation).toEqual(tuned.continuation);

      const basePath = write('base-f16.gguf', modelToGguf({ name: 'base', config: model.config, tensors: await exportWeights(model, null), tokenizerJson, tokenizerConfig }, 'f16'));
      const loraPath = write('lora-f16.gguf', loraAdapterToGguf(await peftOnHost(adapter), model.config, 'lora', 'f16'));
      const withLora = await llamaCpp(basePath, prompt, 32, loraPath);
      expect(withLora.continuation).toEqual(tuned.continuation);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      adapter.dispose();
    }
  }, 240_000);

  test('the tiny Qwen2 fixture (q/k biases, untied head, no q/k permutation), f16 and q8_0', async () => {
    const { model, tokenizerJson, tokenizerConfig } = await load(QWEN2);
    const tensors = await exportWeights(model, null);
    const prompt = chatPrompt(model, QWEN2_MESSAGE);
    const steps = Math.min(32, model.config.maxPositions - model.tokenizer!.encode(prompt).length);
    expect(steps).toBeGreaterThanOrEqual(16);
    const reference = await attune(model, prompt, steps);
    for (const [type, n] of [['f16', steps], ['q8_0', 8]] as [GgufWeightType, number][]) {
      const path = write(`qwen2-${type}.gguf`, modelToGguf({ name: 'tiny-qwen2', config: model.config, tensors, tokenizerJson, tokenizerConfig }, type));
      const got = await llamaCpp(path, prompt, n);
      expect(got.ids, type).toEqual(reference.ids);
      expect(got.continuation, type).toEqual(reference.continuation.slice(0, n));
    }
    expect(await llamaCppChat(join(work, 'qwen2-f16.gguf'), QWEN2_MESSAGE)).toEqual({ text: prompt, ids: reference.ids });
  }, 120_000);
});
