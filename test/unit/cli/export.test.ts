// attune export --format gguf as users run it: the file is written whole (and reads back as the
// same model through --model file.gguf), a bad flag is a usage error (exit 2), and a failed
// export leaves no file, partial or not.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { attune, FIXTURES } from './spawn-cli';

const work = mkdtempSync(join(tmpdir(), 'attune-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('exports the Qwen2 fixture; the file gives the same next-token logits as the folder', () => {
  const out = join(work, 'qwen2.gguf');
  const exported = attune(['export', '--format', 'gguf', '--model', join(FIXTURES, 'tiny-qwen2'), '--type', 'f32', '--out', out, '--backend', 'cpu']);
  expect(exported.stderr).toBe('');
  expect(exported.status).toBe(0);
  expect(exported.stdout).toMatch(/^wrote .*qwen2\.gguf \(\d+\.\d MB, model, f32\)\n$/);
  const fromFolder = attune(['logits', '--model', join(FIXTURES, 'tiny-qwen2'), '--prompt', 'Hi 港口', '--json', '--backend', 'cpu']);
  const fromGguf = attune(['logits', '--model', out, '--prompt', 'Hi 港口', '--json', '--backend', 'cpu']);
  const a = JSON.parse(fromFolder.stdout) as { ids: number[]; logits: number[] };
  const b = JSON.parse(fromGguf.stdout) as { ids: number[]; logits: number[] };
  expect(b.ids).toEqual(a.ids);
  expect(Math.max(...a.logits.map((v, i) => Math.abs(v - b.logits[i]!)))).toBeLessThan(1e-3);
}, 120_000);

test('usage errors exit 2; a GPT-2 model cannot export, and no file is left behind', () => {
  const out = join(work, 'bad.gguf');
  const noAdapter = attune(['export', '--format', 'gguf', '--model', 'default', '--adapter-only', '--out', out]);
  expect(noAdapter.status).toBe(2);
  expect(noAdapter.stderr).toBe('attune export: --adapter-only needs --adapter\n');
  const badType = attune(['export', '--format', 'gguf', '--model', 'default', '--type', 'q4_0', '--out', out]);
  expect(badType.status).toBe(2);
  expect(badType.stderr).toMatch(/--type must be f16, q8_0 or f32, got "q4_0"/);
  const gpt2 = attune(['export', '--format', 'gguf', '--model', join(FIXTURES, 'tiny-gpt2'), '--out', out, '--backend', 'cpu']);
  expect(gpt2.status).toBe(1);
  expect(gpt2.stderr).toBe('attune export: Cannot export as GGUF: the gpt2 family is not exported (Llama and Qwen2 are).\n');
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(work).filter((name) => name.includes('.partial-'))).toEqual([]);
}, 120_000);
