// The address of the page the side panel sits beside, for the adapter bound to its site. Least
// privilege: the tab's `url` when Attune holds activeTab for it (the panel was opened from the
// toolbar or popup on that tab); otherwise the page's own content script, which runs on every web
// page already, answers `page.locate`. No `tabs` permission; the address never leaves the device.
import { browser } from 'wxt/browser';
import { siteOf } from '../../binding/site-pattern';
import { askTab } from '../../messaging/client';

export async function currentPageUrl(): Promise<string | null> {
  let tab;
  try {
    [tab] = await browser.tabs.query({ active: true, lastFocusedWindow: true });
  } catch {
    return null;
  }
  if (tab?.url && siteOf(tab.url)) return tab.url;
  if (tab?.id === undefined || tab.url !== undefined) return null; // a known, non-web page
  try {
    const { url } = await askTab(tab.id, 'page.locate', {});
    return typeof url === 'string' && siteOf(url) ? url : null;
  } catch {
    return null; // no content script there (a browser page, or a tab opened before install)
  }
}
