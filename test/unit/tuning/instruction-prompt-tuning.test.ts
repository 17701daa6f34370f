// Instruction prompt tuning: the exact token layout of an example trained with retrieved
// demonstrations (demonstration turns, then the example; the loss on the example's output only;
// never itself; held-out examples retrieve from the training examples only; whole demonstrations
// dropped to fit), the PEFT file (plain PROMPT_TUNING + Attune's retrieval key) and its round
// trip, the registry's choice between the two PROMPT_TUNING readers, and PEFT parity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { forward } from '../../../src/model/forward';
import type { LoadedModel } from '../../../src/model/model';
import { AdapterFormatError, TuningConfigError } from '../../../src/tuning/errors';
import { instructionPromptTuningMethod } from '../../../src/tuning/methods/instruction-prompt-tuning/method';
import { decodePeft, exportAdapter, importAdapter } from '../../../src/tuning/peft/files';
import { writeAdapterDirectory } from '../../../src/tuning/peft/node-dir';
import { demonstrationsOf, RETRIEVAL_SETTINGS_KEY } from '../../../src/tuning/peft/retrieval-settings';
import { methodForPeftType } from '../../../src/tuning/registry';
import { encodeExample, fitExamples, promptWithinLength, type TrainingExample } from '../../../src/tuning/train/data';
import { tokenizeWithDemonstrations } from '../../../src/tuning/train/demonstrations';
import { planTraining } from '../../../src/tuning/train/prepare';
import { FIXTURES, adapterContext, inputLogits, loadFixture, maxAbsDiff, perturb, useCpu } from './helpers';
import { startPythonReference, type PythonReference } from './python-reference';

// Short enough that an example and one demonstration fit tiny-llama's 64 positions.
const paris = { instruction: 'go P', output: 'T' };
const rome = { instruction: 'go R', output: 'F' };
const rain = { instruction: 'sing', output: 'D' };
const berlin = { instruction: 'go B', output: 'U' };

/** The chat turns tiny-llama's ChatML template renders for one exchange. */
const turn = (user: string, answer?: string) =>
  `<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n${answer === undefined ? '' : `${answer}<|im_end|>\n`}`;

let model: LoadedModel;
beforeAll(async () => {
  await useCpu();
  model = await loadFixture('tiny-llama');
});
afterAll(() => model.dispose());

describe('training data with demonstrations', () => {
  it('puts the most similar other example first as an earlier turn, and the loss on the example output only', () => {
    const tokenizer = model.tokenizer!;
    const [tokenized] = tokenizeWithDemonstrations(tokenizer, [paris], [paris, rome, rain], 1);
    const report = fitExamples([tokenized!], 200);
    const { ids, lossMask } = report.examples[0]!;
    const promptLength = lossMask.indexOf(1);
    expect(tokenizer.decode(ids.slice(0, promptLength))).toBe(turn('go R', 'F') + turn('go P'));
    expect(tokenizer.decode(ids.slice(promptLength))).toBe('T<|im_end|>');
    // Mask: zero over both turns of the demonstration and the example's prompt, one on its output.
    expect(lossMask).toEqual([...new Array<number>(promptLength).fill(0), ...new Array<number>(ids.length - promptLength).fill(1)]);
    // The completion is exactly the plain example's: demonstrations change only the prompt.
    expect(ids.slice(promptLength)).toEqual(encodeExample(tokenizer, paris).completion);
    expect(report.demonstrations).toBe(1);
  });

  it('never uses the example (or a copy of it) as its own demonstration', () => {
    const [tokenized] = tokenizeWithDemonstrations(model.tokenizer!, [paris], [paris, { ...paris }, rome], 2);
    // Only R remains after the two copies of P: one demonstration, not three.
    expect(tokenized!.demonstrationPrompts).toHaveLength(1);
    expect(model.tokenizer!.decode(tokenized!.demonstrationPrompts![0]!)).toBe(turn('go R', 'F') + turn('go P'));
  });

  it('drops whole demonstrations, least similar first, when they do not fit; never cuts one', () => {
    const tokenizer = model.tokenizer!;
    const [t] = tokenizeWithDemonstrations(tokenizer, [paris], [rome, berlin, paris], 2);
    const [one, two] = t!.demonstrationPrompts!;
    const completion = t!.completion.length;
    expect(promptWithinLength(t!, two!.length + completion)).toEqual({ prompt: two, demonstrations: 2 });
    expect(promptWithinLength(t!, two!.length + completion - 1)).toEqual({ prompt: one, demonstrations: 1 });
    expect(promptWithinLength(t!, one!.length + completion - 1)).toEqual({ prompt: t!.prompt, demonstrations: 0 });
    // With one kept, it is the more similar (ties keep pool order: R before B).
    expect(tokenizer.decode(one!)).toBe(turn('go R', 'F') + turn('go P'));
  });

  it('planTraining asks the method: held-out examples retrieve from the training examples only', () => {
    const heldOutTwin = { instruction: 'go B', input: 'now', output: 'W' };
    const plan = planTraining({
      model,
      method: 'instruction-prompt-tuning',
      methodConfig: { numVirtualTokens: 2, demonstrations: 1 },
      examples: [paris, rome, rain],
      heldOutExamples: [berlin, heldOutTwin],
      memoryLimits: null,
    });
    const decoded = (e: { ids: number[]; lossMask: number[] }) => model.tokenizer!.decode(e.ids.slice(0, e.lossMask.indexOf(1)));
    // Berlin's nearest neighbour overall is its held-out twin; it must come from training instead.
    const heldOutPrompts = plan.heldOut.examples.map(decoded);
    expect(heldOutPrompts).toContain(turn('go P', 'T') + turn('go B'));
    expect(heldOutPrompts[0]).not.toContain('now');
    // Every training example with a similar other one got it; "sing" shares no word: none.
    expect(plan.train.examples.map(decoded)).toEqual([
      turn('go R', 'F') + turn('go P'),
      turn('go P', 'T') + turn('go R'),
      turn('sing'),
    ]);
    expect(plan.splitNote).toMatch(/Demonstrations: 0\.67 of 1 per training example/);
  });

  it('a method without demonstrations prepares exactly as before', () => {
    const plan = planTraining({ model, method: 'prompt-tuning', methodConfig: { numVirtualTokens: 2 }, examples: [paris, rome], memoryLimits: null });
    expect(plan.train.examples.map((e) => e.ids)).toEqual(
      [paris, rome].map((e) => {
        const { prompt, completion } = encodeExample(model.tokenizer!, e);
        return [...prompt, ...completion];
      }),
    );
  });
});

describe('instruction-prompt-tuning config and PEFT file', () => {
  const create = (demonstrations = 3) =>
    instructionPromptTuningMethod.create({ ...instructionPromptTuningMethod.defaultConfig(model.config), numVirtualTokens: 4, demonstrations }, adapterContext(model, 5, 'tiny-llama'));

  it('refuses a demonstration count outside 1..8, naming the field', () => {
    const config = instructionPromptTuningMethod.defaultConfig(model.config);
    expect(config.demonstrations).toBe(2);
    for (const bad of [0, 9, 1.5]) {
      expect(() => instructionPromptTuningMethod.validate({ ...config, demonstrations: bad })).toThrow(TuningConfigError);
      expect(() => instructionPromptTuningMethod.validate({ ...config, demonstrations: bad })).toThrow(/demonstrations/);
    }
  });

  it('exports plain PROMPT_TUNING plus the retrieval key, and imports back to the same method, settings and logits', async () => {
    const adapter = create(3);
    perturb(adapter, 4, 0.5);
    const files = await exportAdapter(adapter);
    const config = JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')!)) as Record<string, unknown>;
    expect(config).toMatchObject({ peft_type: 'PROMPT_TUNING', num_virtual_tokens: 4, token_dim: model.config.hiddenSize });
    expect(config[RETRIEVAL_SETTINGS_KEY]).toEqual({ demonstrations: 3, retriever: 'bm25', match: 'instruction+input', rendering: 'chat-turns' });
    expect(demonstrationsOf(config)).toBe(3);
    const loaded = importAdapter(files, adapterContext(model, 99, 'tiny-llama'));
    expect(loaded.method).toBe('instruction-prompt-tuning');
    expect(loaded.config).toEqual(adapter.config);
    const ids = [[5, 17, 42, 99]];
    expect(maxAbsDiff(inputLogits(model, loaded, ids), inputLogits(model, adapter, ids))).toBe(0);
    loaded.dispose();
    adapter.dispose();
  });

  it('the registry reads PROMPT_TUNING with the key as this method and without it as a plain soft prompt', async () => {
    expect(methodForPeftType('PROMPT_TUNING', { [RETRIEVAL_SETTINGS_KEY]: { demonstrations: 2 } }).name).toBe('instruction-prompt-tuning');
    expect(methodForPeftType('PROMPT_TUNING', {}).name).toBe('prompt-tuning');
    const adapter = create();
    const files = await exportAdapter(adapter);
    const peft = decodePeft(files);
    const { [RETRIEVAL_SETTINGS_KEY]: _dropped, ...plain } = peft.config;
    for (const t of peft.tensors.values()) t.dispose();
    files.set('adapter_config.json', new TextEncoder().encode(JSON.stringify(plain)));
    const asPrompt = importAdapter(files, adapterContext(model, 1, 'tiny-llama'));
    expect(asPrompt.method).toBe('prompt-tuning');
    asPrompt.dispose();
    adapter.dispose();
  });

  it('refuses malformed retrieval settings with the field named, leaking no tensors', async () => {
    const adapter = create();
    const files = await exportAdapter(adapter);
    adapter.dispose();
    const config = JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')!)) as Record<string, unknown>;
    const before = tf.memory().numTensors;
    for (const bad of [{ demonstrations: 0 }, { demonstrations: 'two' }, 3]) {
      files.set('adapter_config.json', new TextEncoder().encode(JSON.stringify({ ...config, [RETRIEVAL_SETTINGS_KEY]: bad })));
      expect(() => importAdapter(files, adapterContext(model, 1, 'tiny-llama'))).toThrow(AdapterFormatError);
      expect(() => importAdapter(files, adapterContext(model, 1, 'tiny-llama'))).toThrow(/attune_retrieval\.demonstrations/);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

// One Python process for the parity tests below (tools/reference/peft_reference.py's main() per call).
let python: PythonReference;
beforeAll(() => {
  python = startPythonReference();
});
afterAll(() => python.close());

describe.each(['tiny-gpt2', 'tiny-llama', 'tiny-qwen2'])('PEFT parity of the soft prompt on %s', (fixture) => {
  let parityModel: LoadedModel;
  let dir: string;
  beforeAll(async () => {
    parityModel = await loadFixture(fixture);
    dir = mkdtempSync(join(tmpdir(), 'attune-ipt-'));
  });
  afterAll(() => {
    parityModel.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the exported folder (with the extra key) gives PyTorch/PEFT the same logits, prompt at positions 0..n-1', async () => {
    const ids = [
      [5, 17, 42, 99, 3, 250, 7, 8, 12],
      [11, 2, 3, 4, 5, 6, 7, 8, 300],
    ];
    const adapter = instructionPromptTuningMethod.create({ numVirtualTokens: 5, init: 'sample-vocab', initText: '', demonstrations: 2 }, adapterContext(parityModel, 5, fixture));
    perturb(adapter, 10, 0.5);
    writeAdapterDirectory(join(dir, 'ipt'), await exportAdapter(adapter));
    const run = async (adapterDir: string | null) =>
      JSON.parse(
        await python.run('peft_reference', ['--model', join(FIXTURES, fixture), '--ids', JSON.stringify(ids), ...(adapterDir ? ['--adapter', adapterDir] : [])]),
      ) as { shape: number[]; virtual_tokens: number; logits: number[] };
    const ref = await run(join(dir, 'ipt'));
    const { logits, prependedRows } = forward(parityModel, { ids, hooks: adapter.hooks({ training: false }) });
    expect(prependedRows).toBe(5);
    expect(ref.virtual_tokens).toBe(5);
    expect(logits.shape).toEqual(ref.shape);
    expect(maxAbsDiff(logits.dataSync(), ref.logits)).toBeLessThan(1e-4);
    // Not vacuous: the prompt moves the reference's logits of the real positions.
    const base = await run(null);
    const V = parityModel.config.vocabSize;
    const inputRows = ref.logits.filter((_, i) => Math.floor(i / V) % ref.shape[1]! >= ref.virtual_tokens);
    expect(maxAbsDiff(inputRows, base.logits)).toBeGreaterThan(1e-2);
    logits.dispose();
    adapter.dispose();
  });
});

// Unused-type guard: the examples above are TrainingExamples.
const _typed: TrainingExample[] = [paris, rome, rain, berlin];
void _typed;
