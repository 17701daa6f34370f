// The popup's PopupApi in the extension: messages to the background plus the tabs API.

import { browser } from 'wxt/browser';
import { askBackground } from '../../messaging/client';
import { ensurePersistentStorage } from '../../storage/persistence';
import type { PopupApi } from './Popup';

export function createPopupApi(): PopupApi {
  // Looked up at once, so the click handler reaches sidePanel.open without a slow await.
  const windowId = browser.windows.getCurrent().then((current) => current.id);
  return {
    countExamples: async () => (await askBackground('examples.count', {})).count,
    async activeTab() {
      // Opening the popup grants activeTab, so the current tab's URL is visible without "tabs".
      const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
      if (!tab) return undefined;
      const info: { id?: number; url?: string } = {};
      if (tab.id !== undefined) info.id = tab.id;
      if (tab.url !== undefined) info.url = tab.url;
      return info;
    },
    startCapture: async (tabId) => (await askBackground('capture.start', { tabId, mode: 'output' })).opened,
    openDashboard: async () => {
      await askBackground('dashboard.open', {});
    },
    openAssistant: async () => {
      // Called straight from the click handler: Chrome opens a side panel only inside a gesture.
      const id = await windowId;
      if (id === undefined) throw new Error('no browser window');
      await browser.sidePanel.open({ windowId: id });
    },
    requestPersistence: ensurePersistentStorage,
    closePopup: () => window.close(),
  };
}
