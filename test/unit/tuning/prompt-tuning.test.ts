// Prompt tuning specifics: init from text behaves exactly like typing the text before the input
// (PEFT's TEXT init), repeat/cut to n tokens, PEFT tensor name/shape, mismatch refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../src/model/model';
import { AdapterFormatError, AdapterMismatchError, TuningConfigError } from '../../../src/tuning/errors';
import { initTokenIds, promptTuningMethod, PROMPT_EMBEDDINGS_KEY } from '../../../src/tuning/methods/prompt-tuning/method';
import { decodePeft, exportAdapter, importAdapter } from '../../../src/tuning/peft/files';
import { adapterContext, inputLogits, loadFixture, maxAbsDiff, useCpu } from './helpers';

describe('initTokenIds (PEFT TEXT init)', () => {
  it('repeats a short text and cuts a long one to exactly n ids', () => {
    expect(initTokenIds([1, 2, 3], 7)).toEqual([1, 2, 3, 1, 2, 3, 1]);
    expect(initTokenIds([1, 2, 3, 4, 5], 2)).toEqual([1, 2]);
    expect(() => initTokenIds([], 3)).toThrow(TuningConfigError);
  });
});

describe.each(['tiny-gpt2', 'tiny-llama'])('prompt tuning on %s', (fixture) => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture(fixture);
  });
  afterAll(() => model.dispose());

  it('a text-initialised soft prompt gives the logits of typing that text before the input', () => {
    const text = 'be brief';
    const textIds = model.tokenizer!.encode(text, { addSpecialTokens: false });
    const n = textIds.length;
    const adapter = promptTuningMethod.create({ numVirtualTokens: n, init: 'text', initText: text }, adapterContext(model));
    const input = [[5, 17, 42, 99, 3]];
    const withPrompt = inputLogits(model, adapter, input);
    const typed = inputLogits(model, null, [[...textIds, ...input[0]!]]);
    const V = model.config.vocabSize;
    expect(maxAbsDiff(withPrompt, typed.slice(n * V))).toBeLessThan(1e-4);
    expect(maxAbsDiff(withPrompt, inputLogits(model, null, input))).toBeGreaterThan(1e-3);
    adapter.dispose();
  });

  it('sample-vocab draws vocabulary rows; random draws N(0, 1); both reproducible from the seed', () => {
    const sampled = promptTuningMethod.create({ numVirtualTokens: 6, init: 'sample-vocab', initText: '' }, adapterContext(model, 4));
    const table = model.weights.get(model.config.family === 'gpt2' ? 'transformer.wte.weight' : 'model.embed_tokens.weight')!;
    const rows = table.arraySync() as number[][];
    const prompt = sampled.trainable()[0]!.variable.arraySync() as number[][];
    for (const row of prompt) expect(rows.some((candidate) => maxAbsDiff(candidate, row) === 0)).toBe(true);
    const random = promptTuningMethod.create({ numVirtualTokens: 30, init: 'random', initText: '' }, adapterContext(model, 4));
    const values = Array.from(random.trainable()[0]!.variable.dataSync());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(std).toBeGreaterThan(0.9);
    expect(std).toBeLessThan(1.1);
    const again = promptTuningMethod.create({ numVirtualTokens: 30, init: 'random', initText: '' }, adapterContext(model, 4));
    expect(maxAbsDiff(again.trainable()[0]!.variable.dataSync(), values)).toBe(0);
    sampled.dispose();
    random.dispose();
    again.dispose();
  });

  it('exports prompt_embeddings [n, D] and PEFT PROMPT_TUNING fields; refuses another hidden size', async () => {
    const adapter = promptTuningMethod.create({ numVirtualTokens: 5, init: 'text', initText: 'hello' }, adapterContext(model, 1, 'org/tiny'));
    const files = await exportAdapter(adapter);
    const peft = decodePeft(files);
    expect(peft.tensors.get(PROMPT_EMBEDDINGS_KEY)!.shape).toEqual([5, model.config.hiddenSize]);
    expect(peft.config).toMatchObject({
      peft_type: 'PROMPT_TUNING',
      task_type: 'CAUSAL_LM',
      num_virtual_tokens: 5,
      token_dim: model.config.hiddenSize,
      prompt_tuning_init: 'TEXT',
      prompt_tuning_init_text: 'hello',
      base_model_name_or_path: 'org/tiny',
    });
    const config = peft.config;
    const wider = new Map(files).set('adapter_config.json', new TextEncoder().encode(JSON.stringify({ ...config, token_dim: 64 })));
    expect(() => importAdapter(wider, adapterContext(model, 1, 'org/tiny'))).toThrow(AdapterMismatchError);
    // An impossible length is a broken file, named by its PEFT field, even for another base model.
    const broken = new Map(files).set(
      'adapter_config.json',
      new TextEncoder().encode(JSON.stringify({ ...config, num_virtual_tokens: 0, base_model_name_or_path: 'org/other' })),
    );
    expect(() => importAdapter(broken, adapterContext(model, 1, 'org/tiny'))).toThrow(
      new AdapterFormatError('adapter_config.json field "num_virtual_tokens": must be a whole number of at least 1 (20 is usual)'),
    );
    peft.tensors.forEach((t) => t.dispose());
    adapter.dispose();
  });

  it('refuses soft prompts that would take half the context', () => {
    expect(() => promptTuningMethod.validate({ numVirtualTokens: model.config.maxPositions / 2, init: 'random', initText: '' }, model.config)).toThrow(
      TuningConfigError,
    );
  });
});
