// The content script's record of what it decided for each mouseup/keyup: the chip shown, or why
// not. A decision is made after an asynchronous settings read and a timer, so "no chip appeared"
// cannot be seen at any fixed moment; this record says when the decision for a selection is made.
//
// It lives on the content script's own global object, in its isolated world: the page's scripts
// run in another world with another global and cannot read it (nor can other extensions), it
// changes nothing in the page's DOM, and it sends nothing anywhere. The e2e tests read it through
// the DevTools protocol in that world (`CaptureUi.chipDecisions`, tools/harness/capture-ui.ts).

import type { ChipDecision } from './api';

/** The property of the content script's global object that holds the record. */
export const CHIP_DECISIONS_GLOBAL = '__attuneChipDecisions';

/** How many recent decisions are kept: enough for a test, a few bytes for a long-lived tab. */
export const CHIP_DECISIONS_KEPT = 32;

export interface ChipDecisionRecord {
  /** Decisions made since the content script started (the first is number 1). */
  total: number;
  /** The last CHIP_DECISIONS_KEPT of them, oldest first; `n` is the decision's number. */
  recent: { n: number; decision: ChipDecision }[];
}

/** Creates the record on `scope` and returns the function that appends to it. */
export function recordChipDecisions(scope: object): (decision: ChipDecision) => void {
  const record: ChipDecisionRecord = { total: 0, recent: [] };
  Object.defineProperty(scope, CHIP_DECISIONS_GLOBAL, { value: record, configurable: true });
  return (decision) => {
    record.total += 1;
    record.recent.push({ n: record.total, decision });
    if (record.recent.length > CHIP_DECISIONS_KEPT) record.recent.shift();
  };
}
