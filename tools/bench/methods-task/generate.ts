// The second task of `npm run bench -- methods`: turn a short UI label into a slug.
//
//   "Slug for: Advanced settings"  ->  "advanced-settings"
//
// Built from data in the repo: the short English labels of the UI catalogues (src/i18n/*.ts, 2 to
// 4 plain words, no placeholders or punctuation), deduplicated and shuffled with a fixed seed. It
// asks for a different skill than the to-do task: lower-casing and re-joining the words (a change
// of tokens, not a copy), still in a format the default model never produces. The files next to
// this script are what the bench measures; `node --import tsx tools/bench/methods-task/generate.ts`
// rewrites them (the catalogues may have changed since, so the committed files are the reference).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureCatalogue } from '../../../src/i18n/capture';
import { chatCatalogue } from '../../../src/i18n/chat';
import { dashboardCatalogue } from '../../../src/i18n/dashboard';
import { modelsCatalogue } from '../../../src/i18n/models';
import { pwaCatalogue } from '../../../src/i18n/pwa';
import { trainCatalogue } from '../../../src/i18n/train';
import { Rng } from '../../../src/tuning/rng';

const HERE = dirname(fileURLToPath(import.meta.url));
export const TRAIN_FILE = join(HERE, 'train.jsonl');
export const HELD_OUT_FILE = join(HERE, 'held-out.jsonl');
const SEED = 20261207;
export const HELD_OUT_SIZE = 20;

export interface TaskPair {
  instruction: string;
  output: string;
}

/** Labels of 2-4 words made only of letters: what a slug can be written from without rules for symbols. */
export function labelPhrases(): string[] {
  const catalogues = [captureCatalogue, chatCatalogue, dashboardCatalogue, modelsCatalogue, pwaCatalogue, trainCatalogue];
  const phrases = new Set<string>();
  for (const catalogue of catalogues)
    for (const text of Object.values(catalogue.en)) {
      const words = text.split(' ');
      if (words.length >= 2 && words.length <= 4 && /^[A-Za-z]+( [A-Za-z]+)*$/.test(text)) phrases.add(text);
    }
  return [...phrases].sort();
}

export function slugTask(seed = SEED): { train: TaskPair[]; heldOut: TaskPair[] } {
  const rng = new Rng(seed);
  const phrases = labelPhrases();
  for (let i = phrases.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [phrases[i], phrases[j]] = [phrases[j]!, phrases[i]!];
  }
  const pairs = phrases.map((p) => ({ instruction: `Slug for: ${p}`, output: p.toLowerCase().split(' ').join('-') }));
  return { heldOut: pairs.slice(0, HELD_OUT_SIZE), train: pairs.slice(HELD_OUT_SIZE) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { train, heldOut } = slugTask();
  const lines = (pairs: TaskPair[]): string => pairs.map((p) => JSON.stringify(p)).join('\n') + '\n';
  writeFileSync(TRAIN_FILE, lines(train));
  writeFileSync(HELD_OUT_FILE, lines(heldOut));
  console.log(`wrote ${train.length} training and ${heldOut.length} held-out pairs`);
}
