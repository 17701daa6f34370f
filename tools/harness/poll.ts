// Waiting for a condition the test cannot subscribe to (state inside a closed shadow root or the
// content script's isolated world, read over the DevTools protocol): read it again every
// `intervalMs` until it holds or the deadline passes. The interval paces the reads; the outcome is
// decided by the condition, never by how long was waited.
import type { Page } from 'playwright-core';

export async function pollUntil<T>(
  page: Page,
  read: () => Promise<T>,
  holds: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs?: number; failure: (last: T) => string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await read();
    if (holds(value)) return value;
    if (Date.now() > deadline) throw new Error(options.failure(value));
    await page.waitForTimeout(options.intervalMs ?? 100);
  }
}
