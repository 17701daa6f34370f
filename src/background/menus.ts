// The context-menu entries and the keyboard command. Both open the same capture form as the
// chip, in the tab where they were used.

import { browser } from 'wxt/browser';
import { t } from '../i18n';
import '../i18n/capture';
import type { CaptureMode } from '../messaging/protocol';
import type { CapturePorts } from './ports';

export const MENU_SAVE_OUTPUT = 'attune-save-output';
export const MENU_SAVE_INPUT = 'attune-save-input';
export const CAPTURE_COMMAND = 'capture-selection';

const MENU_MODES: Record<string, CaptureMode> = {
  [MENU_SAVE_OUTPUT]: 'output',
  [MENU_SAVE_INPUT]: 'input',
};

/** Menus persist across service-worker restarts, so they are (re)created on install/update only. */
export function createContextMenus(): void {
  browser.contextMenus.removeAll(() => {
    for (const [id, key] of [
      [MENU_SAVE_OUTPUT, 'capture.menu.saveOutput'],
      [MENU_SAVE_INPUT, 'capture.menu.saveInput'],
    ] as const) {
      browser.contextMenus.create({
        id,
        title: t(key),
        contexts: ['selection'],
        documentUrlPatterns: ['http://*/*', 'https://*/*'],
      });
    }
  });
}

/** What a menu click does; exported so tests (and e2e) can drive the exact same path. */
export async function onMenuClick(
  ports: Pick<CapturePorts, 'openCaptureForm'>,
  menuItemId: string | number,
  selectionText: string | undefined,
  tabId: number | undefined,
): Promise<boolean> {
  const mode = MENU_MODES[String(menuItemId)];
  if (!mode || tabId === undefined || tabId < 0) return false;
  return ports.openCaptureForm(tabId, mode, selectionText);
}

export async function onCommand(
  ports: Pick<CapturePorts, 'openCaptureForm'>,
  command: string,
  tabId: number | undefined,
): Promise<boolean> {
  if (command !== CAPTURE_COMMAND || tabId === undefined) return false;
  return ports.openCaptureForm(tabId, 'output');
}

export function registerMenusAndCommands(ports: Pick<CapturePorts, 'openCaptureForm'>): void {
  browser.runtime.onInstalled.addListener(createContextMenus);
  browser.contextMenus.onClicked.addListener((info, tab) => {
    void onMenuClick(ports, info.menuItemId, info.selectionText, tab?.id).catch(logFailure);
  });
  browser.commands.onCommand.addListener((command, tab) => {
    void onCommand(ports, command, tab?.id).catch(logFailure);
  });
}

function logFailure(error: unknown): void {
  console.warn('[attune] could not open the capture form', error);
}
