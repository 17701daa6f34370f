// The popup's PopupApi in the extension: messages to the background plus the tabs API.

import { browser } from 'wxt/browser';
import { askBackground } from '../../messaging/client';
import { ensurePersistentStorage } from '../../storage/persistence';
import type { PopupApi } from './Popup';

export function createPopupApi(): PopupApi {
  return {
    countExamples: async () => (await askBackground('examples/count', {})).count,
    async activeTab() {
      // Opening the popup grants activeTab, so the current tab's URL is visible without "tabs".
      const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
      if (!tab) return undefined;
      const info: { id?: number; url?: string } = {};
      if (tab.id !== undefined) info.id = tab.id;
      if (tab.url !== undefined) info.url = tab.url;
      return info;
    },
    startCapture: async (tabId) => (await askBackground('capture/start', { tabId, mode: 'output' })).opened,
    openDashboard: async () => {
      await askBackground('dashboard/open', {});
    },
    requestPersistence: ensurePersistentStorage,
    closePopup: () => window.close(),
  };
}
