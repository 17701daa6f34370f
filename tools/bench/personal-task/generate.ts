// The personal-style task for `npm run bench -- personal`: a to-do assistant that answers in one
// fixed personal format the default model never produces on its own:
//
//   "Remind me to call the dentist on Friday"  ->  "[ ] call the dentist (Fri) — added"
//
// The answer copies the task out of the request, abbreviates the day when there is one, and wraps
// it in a checkbox and a closing "— added". Everything is drawn from the fixed lists below with a
// seeded generator, so the files are reproducible; train and held-out never share a task.
//
// `node --import tsx tools/bench/personal-task/generate.ts` rewrites train.jsonl and
// held-out.jsonl next to this file (test/unit/tools/bench/personal-task.test.ts checks they are current).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../../src/tuning/rng';

export interface TaskPair {
  instruction: string;
  output: string;
}

export interface PersonalTaskSplit {
  train: TaskPair[];
  heldOut: TaskPair[];
}

export const DEFAULT_SEED = 20261128;
export const TRAIN_SIZE = 80;
export const HELD_OUT_SIZE = 30;

/** Verbs and the objects that make sense with them: every combination is one to-do task. */
const TASKS: Readonly<Record<string, readonly string[]>> = {
  buy: [
    'milk',
    'bread',
    'eggs',
    'coffee beans',
    'rice',
    'apples',
    'batteries',
    'stamps',
    'olive oil',
    'light bulbs',
    'dish soap',
    'green tea',
  ],
  call: [
    'mum',
    'the dentist',
    'the bank',
    'the plumber',
    'grandma',
    'the landlord',
    'my sister',
    'the vet',
    'the garage',
    'Anna',
  ],
  book: [
    'a haircut',
    'train tickets',
    'a table for two',
    'the car service',
    'a doctor visit',
    'flights to Rome',
  ],
  return: ['the library books', 'the parcel', 'the drill', 'the jacket', 'the ladder'],
  clean: ['the kitchen', 'the fridge', 'the windows', 'the bathroom', 'the oven', 'the shed'],
  pay: ['the rent', 'the phone bill', 'the gas bill', 'the parking fine', 'the gym fee', 'the water bill'],
  water: ['the plants', 'the garden', 'the tomatoes', 'the roses'],
  send: ['the invoice', 'a birthday card', 'the photos', 'the report', 'the contract'],
  fix: ['the bike', 'the tap', 'the shelf', 'the door handle', 'the fence'],
  'pick up': ['the kids', 'the dry cleaning', 'the prescription', 'the keys', 'the cake'],
  email: ['the teacher', 'the accountant', 'the school', 'Lisa', 'the council'],
  renew: ['my passport', 'the insurance', 'the parking permit', 'the library card'],
  cancel: ['the newspaper', 'the old phone plan', 'the gym membership', 'the dentist appointment'],
  check: ['the tyres', 'the smoke alarm', 'the bank statement', 'the oil level'],
  print: ['the boarding pass', 'the tickets', 'the recipe', 'the map'],
  wash: ['the car', 'the dog', 'the curtains', 'the towels'],
  order: ['a new charger', 'printer ink', 'dog food', 'a birthday present'],
  plan: ['the weekend trip', 'the party', 'the menu', 'the garden layout'],
  visit: ['grandpa', 'the museum', 'the new bakery', 'aunt Rosa'],
  tidy: ['the desk', 'the attic', 'the wardrobe', 'the hallway'],
  feed: ['the cat', 'the fish', 'the birds'],
  read: ['the lease', 'chapter five', 'the school letter'],
  bake: ['banana bread', 'the pie', 'cookies'],
};

/** How people phrase a to-do; `{task}` and `{when}` (" on Friday" or "") are filled in. */
const PHRASINGS: readonly string[] = [
  'Add to my list: {task}{when}',
  'Remind me to {task}{when}',
  'Note down: {task}{when}',
  'I need to {task}{when}',
  'Todo: {task}{when}',
  'Put this on my list: {task}{when}',
];

/** Day names and the abbreviation the personal format uses. */
const DAYS: readonly (readonly [string, string])[] = [
  ['Monday', 'Mon'],
  ['Tuesday', 'Tue'],
  ['Wednesday', 'Wed'],
  ['Thursday', 'Thu'],
  ['Friday', 'Fri'],
  ['Saturday', 'Sat'],
  ['Sunday', 'Sun'],
];

/** Share of requests that carry a day (the rest have none, and neither does the answer). */
const DAY_SHARE = 1 / 3;

/** Every task phrase in a fixed order ("buy milk", "call the dentist", ...). */
export function allTasks(): string[] {
  return Object.entries(TASKS).flatMap(([verb, objects]) => objects.map((object) => `${verb} ${object}`));
}

/** The fixed personal answer format. */
export function formatAnswer(task: string, dayAbbreviation: string | null): string {
  return `[ ] ${task}${dayAbbreviation ? ` (${dayAbbreviation})` : ''} — added`;
}

function makePair(task: string, rng: Rng): TaskPair {
  const phrasing = PHRASINGS[rng.int(PHRASINGS.length)]!;
  const day = rng.next() < DAY_SHARE ? DAYS[rng.int(DAYS.length)]! : null;
  return {
    instruction: phrasing.replace('{task}', task).replace('{when}', day ? ` on ${day[0]}` : ''),
    output: formatAnswer(task, day ? day[1] : null),
  };
}

/**
 * Shuffles the tasks with `seed`, gives the first HELD_OUT_SIZE to held-out and the next
 * TRAIN_SIZE to training (each task appears once at most), then draws a phrasing and a day for each.
 */
export function generatePersonalTask(seed = DEFAULT_SEED): PersonalTaskSplit {
  const rng = new Rng(seed);
  const tasks = rng.shuffle(allTasks());
  if (tasks.length < HELD_OUT_SIZE + TRAIN_SIZE) {
    throw new Error(`only ${tasks.length} distinct tasks; ${HELD_OUT_SIZE + TRAIN_SIZE} needed`);
  }
  const heldOut = tasks.slice(0, HELD_OUT_SIZE).map((task) => makePair(task, rng));
  const train = tasks.slice(HELD_OUT_SIZE, HELD_OUT_SIZE + TRAIN_SIZE).map((task) => makePair(task, rng));
  return { train, heldOut };
}

export function toJsonl(pairs: readonly TaskPair[]): string {
  return pairs.map((pair) => `${JSON.stringify(pair)}\n`).join('');
}

export const TASK_DIR = dirname(fileURLToPath(import.meta.url));
export const TRAIN_FILE = join(TASK_DIR, 'train.jsonl');
export const HELD_OUT_FILE = join(TASK_DIR, 'held-out.jsonl');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const split = generatePersonalTask();
  writeFileSync(TRAIN_FILE, toJsonl(split.train));
  writeFileSync(HELD_OUT_FILE, toJsonl(split.heldOut));
  console.log(
    `wrote ${split.train.length} training pairs to ${TRAIN_FILE} and ${split.heldOut.length} held-out pairs to ${HELD_OUT_FILE}`,
  );
}
