import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchExtension, type LaunchedExtension } from '../../tools/harness/browser';

let ext: LaunchedExtension;
beforeAll(async () => {
  ext = await launchExtension();
});
afterAll(async () => ext?.close());

test('the built extension loads and its service worker starts', async () => {
  expect(ext.extensionId).toMatch(/^[a-p]{32}$/);
});
