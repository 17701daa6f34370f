// tokenizer.json through @huggingface/tokenizers against ids from the independent Python BPE
// encoder (tools/reference/tiny_bpe.py), plus chat templates.
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ChatTemplateError, CorruptModelFileError, loadModel, UnsupportedModelError, type LoadedModel } from '../../../src/model';
import { readModelDirectory } from '../../../src/model/node-files';
import { FIXTURES, loadFixture, readGolden, useBackend } from './parity-helpers';

let llama: LoadedModel;
let gpt2: LoadedModel;
beforeAll(async () => {
  await useBackend('cpu');
  llama = await loadFixture('tiny-llama');
  gpt2 = await loadFixture('tiny-gpt2');
});

describe('tokenizer', () => {
  test('encode matches the Python reference encoder; decode inverts it', () => {
    for (const { text, ids } of readGolden('tiny-llama').tokenizer) {
      expect(llama.tokenizer!.encode(text)).toEqual(ids);
      expect(llama.tokenizer!.decode(ids)).toBe(text);
    }
  });

  test('special tokens map to single ids and can be skipped when decoding', () => {
    const t = llama.tokenizer!;
    const ids = t.encode('<|im_start|>user\nhi<|im_end|>');
    expect(ids[0]).toBe(317);
    expect(ids.at(-1)).toBe(318);
    expect(t.decode(ids, { skipSpecialTokens: true })).toBe('user\nhi');
    expect(t.eosTokenIds).toEqual([318]);
    expect(gpt2.tokenizer!.eosTokenIds).toEqual([316]);
  });

  test("the model's chat template renders (ChatML fixture)", () => {
    const t = llama.tokenizer!;
    expect(t.hasModelChatTemplate).toBe(true);
    const text = t.applyChatTemplate([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], { addGenerationPrompt: true });
    expect(text).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
    expect(t.applyChatTemplate([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: false })).toBe('<|im_start|>user\nHi<|im_end|>\n');
  });

  test('a model without a chat template gets the plain instruction template', () => {
    const t = gpt2.tokenizer!;
    expect(t.hasModelChatTemplate).toBe(false);
    const messages = [{ role: 'user' as const, content: 'Summarise.' }, { role: 'assistant' as const, content: 'Short.' }];
    expect(t.applyChatTemplate(messages, { addGenerationPrompt: false })).toBe('### Instruction:\nSummarise.\n\n### Response:\nShort.<|endoftext|>\n\n');
    expect(t.applyChatTemplate(messages.slice(0, 1), { addGenerationPrompt: true })).toBe('### Instruction:\nSummarise.\n\n### Response:\n');
  });

  test('generation_config.json adds its stop ids', async () => {
    const files = readModelDirectory(join(FIXTURES, 'tiny-llama'));
    files.set('generation_config.json', new TextEncoder().encode(JSON.stringify({ eos_token_id: [318, 316] })));
    const model = await loadModel(files);
    expect(model.config.eosTokenIds).toEqual([318, 316]);
    expect(model.tokenizer!.eosTokenIds).toEqual([318, 316]);
    model.dispose();
  });

  test('a tokenizer.json of an unknown kind, or not JSON, is a named error', async () => {
    const files = readModelDirectory(join(FIXTURES, 'tiny-llama'));
    files.set('tokenizer.json', new TextEncoder().encode(JSON.stringify({ model: { type: 'Mystery' } })));
    await expect(loadModel(files)).rejects.toThrow(UnsupportedModelError);
    files.set('tokenizer.json', new TextEncoder().encode('{"model":'));
    await expect(loadModel(files)).rejects.toThrow(CorruptModelFileError);
  });

  test('a broken chat template is a ChatTemplateError at load', async () => {
    const files = readModelDirectory(join(FIXTURES, 'tiny-llama'));
    const cfg = JSON.parse(new TextDecoder().decode(files.get('tokenizer_config.json')));
    files.set('tokenizer_config.json', new TextEncoder().encode(JSON.stringify({ ...cfg, chat_template: '{% for m in messages %}' })));
    await expect(loadModel(files)).rejects.toThrow(ChatTemplateError);
  });
});
