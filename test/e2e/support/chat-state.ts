// The chat's generating state as the page shows it (`data-generating` on the chat section). Send
// and Stop both stay on screen, enabled in turn, so their presence no longer tells the state.
import type { Locator, Page } from 'playwright-core';

/** Matches once an answer is being written. */
export function chatBusy(page: Page): Locator {
  return page.locator('[data-testid="chat"][data-generating="true"]');
}

/** Matches once no answer is being written. */
export function chatIdle(page: Page): Locator {
  return page.locator('[data-testid="chat"][data-generating="false"]');
}
