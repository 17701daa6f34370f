// "Use the selection / this page as context": reads the active tab through scripting.executeScript
// (the activeTab + scripting permissions the extension already holds). Only text leaves the page,
// and only into this extension's side panel. For a page, its HTML comes back and the main content
// is found here, in the side panel (main-content.ts); either way the text is fitted to the active
// model's context in its own tokens by the engine (`context.fit`, see context-fitter.ts: the panel
// loads no tokenizer) and the panel shows what was cut and exactly what is sent.
import { AttuneError } from '../../errors/attune-error';
import { browser } from 'wxt/browser';
import { MAX_CONTEXT_FIT_CHARS, type ContextCut, type ContextFitResult } from '../../engine/protocol/types';

export type ContextSource = 'selection' | 'page';

/** Fits a context text to the model (the engine's `context.fit`; tests pass their own). */
export type ContextFitter = (text: string) => Promise<ContextFitResult>;

export interface PageContext {
  source: ContextSource;
  /** Exactly what is sent to the model as the request's input. */
  text: string;
  title: string;
  /** The text did not fit the model's context and was cut. */
  truncated: boolean;
  /** Where it was cut (null: whole). */
  cut: ContextCut;
  /** Tokens of the model and paragraphs, kept and in the whole text, for the notice. */
  keptTokens: number;
  totalTokens: number;
  totalParagraphs: number;
  keptParagraphs: number;
  /** For a page: 'article' when its main content was found, 'page' when its whole text was used. */
  extracted?: 'article' | 'page';
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

/** What the page hands over: its selection's text, or its HTML, and its title. */
interface RawPage {
  text?: string;
  html?: string;
  title: string;
}

/** Runs inside the page (serialised by executeScript: it may use nothing from outside itself). */
function readInPage(source: ContextSource): RawPage {
  if (source === 'selection')
    return { text: String(globalThis.getSelection?.() ?? ''), title: document.title };
  return { html: document.documentElement.outerHTML, title: document.title };
}

export async function toContext(
  source: ContextSource,
  raw: { text: string; title: string },
  fit: ContextFitter,
  extracted?: 'article' | 'page',
): Promise<PageContext> {
  const text = raw.text
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (source === 'selection' && text === '') throw new EmptySelectionError();
  // Only a page's beginning can fit the model; the engine takes at most this much (its total is
  // then counted over that beginning: docs/assistant.md).
  const fitted = await fit(text.slice(0, MAX_CONTEXT_FIT_CHARS));
  return {
    source,
    title: raw.title,
    text: fitted.text,
    truncated: fitted.cut !== null,
    cut: fitted.cut,
    keptTokens: fitted.keptTokens,
    totalTokens: fitted.totalTokens,
    totalParagraphs: fitted.totalParagraphs,
    keptParagraphs: fitted.keptParagraphs,
    ...(extracted ? { extracted } : {}),
  };
}

/** Validates what came back from the page: another script could have changed what it returns. */
function rawPageOf(value: unknown): RawPage | null {
  if (typeof value !== 'object' || value === null) return null;
  const { text, html, title } = value as Record<string, unknown>;
  if (typeof title !== 'string') return null;
  if (typeof text === 'string') return { text, title };
  if (typeof html === 'string') return { html, title };
  return null;
}

export async function readActiveTabContext(source: ContextSource, fit: ContextFitter): Promise<PageContext> {
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
  const raw = rawPageOf(results[0]?.result);
  if (!raw) throw new PageContextUnavailableError('the page returned nothing');
  if (raw.html === undefined) return toContext(source, { text: raw.text ?? '', title: raw.title }, fit);
  // Loaded on first use: Readability and the Markdown conversion are most of the panel's code,
  // and a conversation that never reads a page does not need them.
  const { mainContentOf } = await import('./main-content');
  const main = mainContentOf(raw.html, raw.title);
  return toContext(source, { text: main.text, title: main.title }, fit, main.from);
}
