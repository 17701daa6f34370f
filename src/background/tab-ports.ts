// The browser half of CapturePorts: opening the capture form in a tab and opening the dashboard.

import { browser } from 'wxt/browser';
import { captureEligibility } from '../capture/eligibility';
import { askTab, NoReceiverError } from '../messaging/client';
import type { CaptureMode } from '../messaging/protocol';
import type { CapturePorts } from './ports';

/** The built content script, as WXT names it. */
const CONTENT_SCRIPT_FILE = '/content-scripts/content.js';

export type TabPorts = Pick<CapturePorts, 'openCaptureForm' | 'openDashboard'>;

async function tabUrl(tabId: number): Promise<string | undefined> {
  try {
    // `url` is present for tabs we hold activeTab (or host) access to: enough for a yes/no here.
    return (await browser.tabs.get(tabId)).url;
  } catch {
    return undefined;
  }
}

/**
 * Asks the tab's content script to open the form. A tab opened before Attune was installed has no
 * content script yet: inject it once (allowed by activeTab after a click, menu or shortcut) and
 * ask again. Pages no extension may script (chrome://, the web store) answer false.
 */
export async function openCaptureForm(tabId: number, mode: CaptureMode, selectionText?: string): Promise<boolean> {
  const payload = selectionText === undefined ? { mode } : { mode, selectionText };
  try {
    return (await askTab(tabId, 'capture.open', payload)).opened;
  } catch (error) {
    if (!(error instanceof NoReceiverError)) throw error;
  }
  const url = await tabUrl(tabId);
  if (url !== undefined && !captureEligibility(url).ok) return false;
  try {
    await browser.scripting.executeScript({ target: { tabId }, files: [CONTENT_SCRIPT_FILE] });
  } catch {
    return false;
  }
  return (await askTab(tabId, 'capture.open', payload)).opened;
}

export async function openDashboard(): Promise<void> {
  // Typed paths only list entrypoints that exist at `wxt prepare` time; the dashboard is built by
  // another area, so the path is widened to string here.
  const getUrl = browser.runtime.getURL as (path: string) => string;
  await browser.tabs.create({ url: getUrl('/dashboard.html') });
}

export function createTabPorts(): TabPorts {
  return { openCaptureForm, openDashboard };
}
