import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// Two projects: fast unit tests (Node/jsdom, fake-indexeddb) and end-to-end tests that drive the
// built extension in real Chromium. `npm test` runs both.
//
// expect.poll waits for a condition and returns as soon as it holds. Its default deadline (1 s)
// assumed every asynchronous update lands within a second; on a loaded 2-core machine a list
// reload after a save took longer and an assertion on a correct page failed. The deadline here is
// for a page that never gets there, not a pace the page must keep.
const poll = { timeout: 30_000 };
export default defineConfig({
  test: {
    // Unit test files run in one worker per core (e2e stays at one: fileParallelism false).
    // Vitest's default (cores - 1, for its main process) is a single worker on the 2-core CI, which
    // ran the unit phase one file at a time with a core idle; the main process only collects
    // results, and the unit files are CPU-bound (tfjs-cpu, the CLI and Python children they wait
    // on), so two workers finish it in about 0.6 of the time. `--maxWorkers=N` still overrides.
    maxWorkers: availableParallelism(),
    projects: [
      {
        plugins: [WxtVitest()],
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          environment: 'node',
          testTimeout: 60_000,
          expect: { poll },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          // After the unit project when both run in one `vitest run`: a project with its own
          // worker count needs its own group.
          sequence: { groupOrder: 1 },
          expect: { poll },
        },
      },
    ],
  },
});
