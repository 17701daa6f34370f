// The content script's listener and the menu/command handlers: the same capture.open request,
// accepted only from this extension and only well-formed.
import { beforeEach, expect, test } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { listenForCaptureRequests } from '../../../src/capture/content-listener';
import { onCommand, onMenuClick, MENU_SAVE_INPUT, MENU_SAVE_OUTPUT } from '../../../src/background/menus';
import type { CaptureController } from '../../../src/capture/api';
import type { CaptureMode } from '../../../src/messaging/protocol';

let opened: { mode: CaptureMode; text?: string | undefined }[];
const controller: CaptureController = {
  openForm: async (mode, text) => void opened.push({ mode, text }),
  isFormOpen: () => false,
  closeForm: () => undefined,
  refreshSettings: async () => undefined,
  destroy: () => undefined,
};

beforeEach(() => {
  fakeBrowser.reset();
  opened = [];
});

function deliver(message: unknown, senderId: string): Promise<unknown> {
  return new Promise((resolve) => {
    void fakeBrowser.runtime.onMessage.trigger(message, { id: senderId }, resolve).then((kept: unknown[]) => {
      if (!kept.includes(true)) resolve(undefined);
    });
  });
}

test('the content script opens the form for capture.open from this extension', async () => {
  listenForCaptureRequests(fakeBrowser.runtime, controller);
  const reply = await deliver({ kind: 'capture.open', payload: { mode: 'input', selectionText: 'hi' } }, fakeBrowser.runtime.id);
  expect(reply).toEqual({ type: 'result', result: { opened: true } });
  expect(opened).toEqual([{ mode: 'input', text: 'hi' }]);
});

test('the content script ignores other senders and malformed requests', async () => {
  const stop = listenForCaptureRequests(fakeBrowser.runtime, controller);
  expect(await deliver({ kind: 'capture.open', payload: { mode: 'input' } }, 'another-extension')).toBeUndefined();
  expect(await deliver({ kind: 'capture.open', payload: { mode: 'all' } }, fakeBrowser.runtime.id)).toBeUndefined();
  expect(await deliver({ kind: 'example.save', payload: {} }, fakeBrowser.runtime.id)).toBeUndefined();
  expect(opened).toEqual([]);
  stop();
  await expect(deliver({ kind: 'capture.open', payload: { mode: 'input' } }, fakeBrowser.runtime.id)).resolves.toBeUndefined();
});

test('menu entries and the keyboard command open the form in the right mode and tab', async () => {
  const calls: string[] = [];
  const ports = {
    openCaptureForm: async (tabId: number, mode: CaptureMode, text?: string) => {
      calls.push(`${tabId}:${mode}:${text ?? ''}`);
      return true;
    },
  };
  expect(await onMenuClick(ports, MENU_SAVE_OUTPUT, 'sel', 3)).toBe(true);
  expect(await onMenuClick(ports, MENU_SAVE_INPUT, 'sel', 3)).toBe(true);
  expect(await onMenuClick(ports, 'someone-elses-menu', 'sel', 3)).toBe(false);
  expect(await onMenuClick(ports, MENU_SAVE_OUTPUT, 'sel', undefined)).toBe(false);
  expect(await onCommand(ports, 'capture-selection', 5)).toBe(true);
  expect(await onCommand(ports, 'other-command', 5)).toBe(false);
  expect(calls).toEqual(['3:output:sel', '3:input:sel', '5:output:']);
});
