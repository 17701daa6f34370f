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
          expect: { poll },
        },
      },
    ],
  },
});
