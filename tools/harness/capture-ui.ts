// Drives the capture UI of the built extension the way a person does. Shared by the e2e tests and
// `npm run demo`.
import type { CDPSession, Page } from 'playwright-core';
import type { ChipDecision } from '../../src/capture/api';
import { CHIP_DECISIONS_GLOBAL, type ChipDecisionRecord } from '../../src/capture/chip-decision-log';
import { pollUntil } from './poll';

// ---- The capture UI lives in a *closed* shadow root: Playwright selectors cannot enter it, and
// neither can the page. The DevTools protocol can (DOM.getDocument with pierce), so these helpers
// find controls there, read their state, and drive them with real (trusted) mouse and keyboard.

interface CdpNode {
  nodeId: number;
  localName?: string;
  children?: CdpNode[];
  shadowRoots?: CdpNode[];
}

export class CaptureUi {
  /** The content script's isolated world in this page, once contentScriptReady() has seen it. */
  private contentScriptContextId: number | null = null;

  private constructor(
    private readonly page: Page,
    private readonly cdp: CDPSession,
  ) {}

  static async attach(page: Page): Promise<CaptureUi> {
    return new CaptureUi(page, await page.context().newCDPSession(page));
  }

  /**
   * Resolves once the extension's content script has run in this page: its isolated world exists
   * (the DevTools protocol reports it, and replays the ones that already exist), and the task that
   * ran the script, which adds every listener synchronously, has ended (a round trip into the
   * page runs after it). Selecting text before then would go unheard.
   */
  async contentScriptReady(timeout = 30_000): Promise<void> {
    interface ContextCreated {
      context: { id: number; origin: string; auxData?: { type?: string } };
    }
    let found!: () => void;
    const seen = new Promise<void>((resolve) => (found = resolve));
    const onContext = (event: ContextCreated) => {
      if (event.context.auxData?.type === 'isolated' && event.context.origin.startsWith('chrome-extension://')) {
        this.contentScriptContextId = event.context.id;
        found();
      }
    };
    this.cdp.on('Runtime.executionContextCreated', onContext);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await this.cdp.send('Runtime.enable');
      await Promise.race([
        seen,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the content script did not run in this page')), timeout);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.cdp.off('Runtime.executionContextCreated', onContext);
      await this.cdp.send('Runtime.disable');
    }
    await this.page.evaluate(() => 0);
  }

  /**
   * The content script's record of its chip decisions (src/capture/chip-decision-log.ts), read in
   * its isolated world, where the page cannot see it.
   */
  async chipDecisions(): Promise<ChipDecisionRecord> {
    if (this.contentScriptContextId === null) throw new Error('call contentScriptReady() first');
    const { result, exceptionDetails } = (await this.cdp.send('Runtime.evaluate', {
      expression: `globalThis.${CHIP_DECISIONS_GLOBAL}`,
      contextId: this.contentScriptContextId,
      returnByValue: true,
    })) as { result: { value?: ChipDecisionRecord }; exceptionDetails?: { text: string } };
    if (exceptionDetails || !result.value) throw new Error(`no chip decision record in the content script: ${exceptionDetails?.text ?? 'undefined'}`);
    return result.value;
  }

  /**
   * Waits for the content script's decision number `total + 1` (the next one after a record read
   * with `total` decisions) and returns it: after one selection, what became of that selection.
   */
  async nextChipDecision(total: number, timeout = 10_000): Promise<ChipDecision> {
    const record = await pollUntil(this.page, () => this.chipDecisions(), (r) => r.total > total, {
      timeoutMs: timeout,
      intervalMs: 50,
      failure: () => `the content script made no chip decision after number ${total}`,
    });
    const entry = record.recent.find(({ n }) => n === total + 1);
    if (!entry) throw new Error(`chip decision ${total + 1} is no longer in the record (${record.total} made)`);
    return entry.decision;
  }

  private async shadowRootId(): Promise<number | null> {
    const { root } = (await this.cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as {
      root: CdpNode;
    };
    const stack: CdpNode[] = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.localName === 'attune-capture') return node.shadowRoots?.[0]?.nodeId ?? null;
      stack.push(...(node.children ?? []), ...(node.shadowRoots ?? []));
    }
    return null;
  }

  /** The node id of the first element matching `selector` inside the capture UI, or null. */
  async find(selector: string): Promise<number | null> {
    const rootId = await this.shadowRootId();
    if (rootId === null) return null;
    const { nodeId } = (await this.cdp.send('DOM.querySelector', { nodeId: rootId, selector })) as {
      nodeId: number;
    };
    return nodeId || null;
  }

  async findTestId(testId: string): Promise<number | null> {
    return this.find(`[data-testid="${testId}"]`);
  }

  async waitFor(testId: string, timeout = 10_000): Promise<number> {
    const nodeId = await pollUntil(this.page, () => this.findTestId(testId), (id) => id !== null, {
      timeoutMs: timeout,
      failure: () => `capture UI never showed data-testid="${testId}"`,
    });
    return nodeId!;
  }

  /** Reads `value` for form controls, text content otherwise. */
  read(testId: string): Promise<string> {
    return this.callOn(testId, 'function () { return "value" in this ? this.value : this.textContent; }');
  }

  /** Calls `functionDeclaration` with the control as `this`, in the page; returns its result. */
  private async callOn<T>(testId: string, functionDeclaration: string): Promise<T> {
    const nodeId = await this.waitFor(testId);
    const { object } = (await this.cdp.send('DOM.resolveNode', { nodeId })) as {
      object: { objectId: string };
    };
    const { result } = (await this.cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId,
      functionDeclaration,
      returnByValue: true,
    })) as { result: { value: T } };
    return result.value;
  }

  /**
   * Clicks the middle of a control with the real mouse, once it has stopped moving. The dialog is
   * centred, so anything that changes its height (options, notices arriving after it opens) moves
   * every field; a click aimed at a moving field can land on its neighbour, the template select,
   * whose open list then picks a template and overwrites the instruction. Playwright's own clicks
   * wait for stability the same way; this one goes through CDP into a closed shadow root.
   */
  async click(testId: string): Promise<void> {
    const nodeId = await this.waitFor(testId);
    await this.cdp.send('DOM.scrollIntoViewIfNeeded', { nodeId });
    const [x1, y1, x3, y3] = await this.stableBox(testId, nodeId);
    if (!(x3 - x1 > 0)) throw new Error(`${testId} has no width`);
    await this.page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
  }

  /** The control's border box now, in page pixels: [left, top, right, bottom]. */
  async box(testId: string): Promise<[number, number, number, number]> {
    return this.boxOf(await this.waitFor(testId));
  }

  private async boxOf(nodeId: number): Promise<[number, number, number, number]> {
    const { model } = (await this.cdp.send('DOM.getBoxModel', { nodeId })) as { model: { border: number[] } };
    const [x1, y1, , , x3, y3] = model.border as [number, number, number, number, number, number];
    return [x1, y1, x3, y3];
  }

  /** The control's border box once two reads 100 ms apart agree: [left, top, right, bottom]. */
  private async stableBox(testId: string, nodeId: number): Promise<[number, number, number, number]> {
    const read = () => this.boxOf(nodeId);
    let previous = await read();
    for (let attempt = 0; attempt < 50; attempt++) {
      await this.page.waitForTimeout(100);
      const current = await read();
      if (current.every((v, i) => v === previous[i])) return current;
      previous = current;
    }
    throw new Error(`${testId} kept moving for 5 s`);
  }

  /** True when the control has focus inside the shadow root. */
  private hasFocus(testId: string): Promise<boolean> {
    return this.callOn(testId, 'function () { return this.getRootNode().activeElement === this; }');
  }

  /**
   * Replaces a field's text by clicking into it and typing, as a person would. A person looks
   * where the caret is before typing: a click that lands while the form is still settling leaves
   * focus on the template select, whose type-ahead would swallow the text and pick a template.
   */
  async fill(testId: string, text: string): Promise<void> {
    for (let attempt = 0; !(await this.hasFocus(testId)); attempt++) {
      if (attempt === 20) throw new Error(`${testId} does not take focus when clicked`);
      await this.click(testId);
      if (!(await this.hasFocus(testId))) await this.page.waitForTimeout(100);
    }
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.press('Backspace');
    if (text) await this.page.keyboard.insertText(text);
    const value = await this.read(testId);
    if (value !== text)
      throw new Error(`${testId} holds "${value.slice(0, 80)}" after typing "${text.slice(0, 80)}"`);
  }
}

/** Selects the whole text of an element programmatically, then releases a key so the chip shows. */
export async function selectAll(page: Page, id: string): Promise<string> {
  const text = await page.evaluate((elementId) => {
    const element = document.getElementById(elementId)!;
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = document.getSelection()!;
    selection.removeAllRanges();
    selection.addRange(range);
    return selection.toString();
  }, id);
  await page.keyboard.press('Shift'); // a keyup, as after a keyboard selection
  return text;
}

/**
 * Selects from the first occurrence of `from` to the end of the first occurrence of `to` after
 * it, inside element `id`, the way a person drags across rendered text. Both phrases are matched
 * against the source text with any run of whitespace standing for a space, so a phrase may cross
 * a line break of the page's HTML source. Releases a key afterwards so the chip shows.
 */
export async function selectText(page: Page, id: string, from: string, to: string): Promise<string> {
  const text = await page.evaluate(
    ({ elementId, start, end }) => {
      const element = document.getElementById(elementId)!;
      const nodes: Text[] = [];
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node as Text);
      const joined = nodes.map((n) => n.data).join('');
      const pattern = (phrase: string) =>
        new RegExp(phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '\\s+'), 'g');
      const startPattern = pattern(start);
      const startMatch = startPattern.exec(joined);
      if (!startMatch) throw new Error(`"${start}" is not in #${elementId}`);
      const endPattern = pattern(end);
      endPattern.lastIndex = startMatch.index;
      const endMatch = endPattern.exec(joined);
      if (!endMatch) throw new Error(`"${end}" does not follow "${start}" in #${elementId}`);
      const locate = (offset: number, preferNext: boolean): [Text, number] => {
        let seen = 0;
        for (const node of nodes) {
          const last = seen + node.data.length;
          if (offset < last || (!preferNext && offset === last)) return [node, offset - seen];
          seen = last;
        }
        throw new Error(`offset ${offset} is past the end of #${elementId}`);
      };
      const range = document.createRange();
      range.setStart(...locate(startMatch.index, true));
      range.setEnd(...locate(endMatch.index + endMatch[0].length, false));
      const selection = document.getSelection()!;
      selection.removeAllRanges();
      selection.addRange(range);
      return selection.toString();
    },
    { elementId: id, start: from, end: to },
  );
  await page.keyboard.press('Shift');
  return text;
}
