// "Use the selection / this page as context": reads the active tab through scripting.executeScript
// (the activeTab + scripting permissions the extension already holds). Only text leaves the page,
// and only into this extension's side panel.
import { AttuneError } from '../../errors/attune-error';
import { browser } from 'wxt/browser';

/** Longest context sent to the model; the shipped model's whole context is 256 tokens. */
export const MAX_CONTEXT_CHARS = 1_500;

export type ContextSource = 'selection' | 'page';

export interface PageContext {
  source: ContextSource;
  text: string;
  title: string;
  /** The page text was longer than MAX_CONTEXT_CHARS and was cut. */
  truncated: boolean;
}

/** The page cannot be read (a browser page, the Web Store, or no permission on this tab). */
export class PageContextUnavailableError extends AttuneError {
  constructor(detail: string) {
    super('error.page-unreadable', { detail });
  }
}

/** The selection came back empty: nothing to use. */
export class EmptySelectionError extends AttuneError {
  constructor() {
    super('error.empty-selection');
  }
}

/** Runs inside the page: the selection or the visible text, and the title. */
function readInPage(source: ContextSource): { text: string; title: string } {
  const text =
    source === 'selection' ? String(globalThis.getSelection?.() ?? '') : (document.body?.innerText ?? '');
  return { text, title: document.title };
}

export function toContext(source: ContextSource, raw: { text: string; title: string }): PageContext {
  const text = raw.text
    .replace(/\s+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (source === 'selection' && text === '') throw new EmptySelectionError();
  const truncated = text.length > MAX_CONTEXT_CHARS;
  return {
    source,
    title: raw.title,
    text: truncated ? `${text.slice(0, MAX_CONTEXT_CHARS).trimEnd()}…` : text,
    truncated,
  };
}

export async function readActiveTabContext(source: ContextSource): Promise<PageContext> {
  const [tab] = await browser.tabs.query({ active: true, lastFocusedWindow: true });
  if (tab?.id === undefined) throw new PageContextUnavailableError('no active tab');
  let results: { result?: unknown }[];
  try {
    results = await browser.scripting.executeScript({
      target: { tabId: tab.id },
      func: readInPage,
      args: [source],
    });
  } catch (error) {
    throw new PageContextUnavailableError(error instanceof Error ? error.message : String(error));
  }
  const raw = results[0]?.result as { text: string; title: string } | undefined;
  if (!raw) throw new PageContextUnavailableError('the page returned nothing');
  return toContext(source, raw);
}
