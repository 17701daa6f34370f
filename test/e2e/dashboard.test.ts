// The dashboard in real Chromium with the built extension: import (with a broken line), search
// and filters, edit, delete + undo, export → import into a fresh profile, and data surviving a
// browser restart. Run `npx wxt build` first (npm run test:e2e does).
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, expect, test } from 'vitest';
import { extensionUrl, launchExtension, newProfileDir, type LaunchedExtension } from '../../tools/harness/browser';

const launched: LaunchedExtension[] = [];
afterAll(async () => {
  for (const ext of launched) await ext.close().catch(() => undefined);
});

async function openDashboard(profileDir?: string): Promise<{ ext: LaunchedExtension; page: Page }> {
  const ext = await launchExtension(profileDir ? { profileDir } : {});
  launched.push(ext);
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, 'dashboard.html'));
  await page.getByTestId('examples-count').waitFor();
  return { ext, page };
}

const SEED = [
  { instruction: 'Define cat', input: '', output: 'A small domesticated feline.', tags: ['animals'], sourceUrl: 'https://en.wikipedia.org/wiki/Cat', sourceTitle: 'Cat - Wikipedia' },
  { instruction: 'Define dog', input: '', output: 'A domesticated canine.', tags: ['animals', 'pets'], sourceUrl: 'https://en.wikipedia.org/wiki/Dog', sourceTitle: 'Dog - Wikipedia' },
  { instruction: 'Summarise the post', input: 'A long post about <script>alert(1)</script> tags', output: 'Escape your HTML. 中文也可以。', tags: ['web'], sourceUrl: 'https://blog.example/post', sourceTitle: 'Blog' },
  { instruction: 'Translate to French', input: 'Good morning', output: 'Bonjour', tags: [], sourceUrl: '', sourceTitle: '' },
];
const SEED_FILE = [...SEED.map((e) => JSON.stringify(e)), '{"instruction":"broken"', '{"instruction":"no output","output":""}'].join('\n');

async function importFile(page: Page, name: string, content: string): Promise<void> {
  await page.getByTestId('examples-import-file').setInputFiles({ name, mimeType: 'application/x-ndjson', buffer: Buffer.from(content) });
  await page.getByTestId('import-preview').waitFor();
}

const instructions = (page: Page) => page.getByTestId('example-instruction').allTextContents();

async function expectInstructions(page: Page, expected: string[]): Promise<void> {
  await expect.poll(() => instructions(page), { timeout: 10_000 }).toEqual(expected);
}

/** Content of every listed example, sorted, for comparing two profiles. */
async function listedContent(page: Page): Promise<string[]> {
  return page.getByTestId('example-row').evaluateAll((rows) =>
    rows
      .map((row) => {
        const text = (id: string) => row.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';
        const tags = [...row.querySelectorAll('[data-testid="example-tags"] li')].map((li) => li.textContent);
        return JSON.stringify([text('example-instruction'), text('example-input'), text('example-output'), tags]);
      })
      .sort(),
  );
}

test('import, filter, edit, delete with undo, export to a fresh profile, survive a restart', async () => {
  const { ext, page } = await openDashboard();
  const profileDir = ext.profileDir;
  await expect.poll(() => page.getByTestId('examples-empty').count()).toBe(1);

  // Import: the preview counts good lines and names the bad ones; Confirm writes.
  await importFile(page, 'seed.jsonl', SEED_FILE);
  await expect.poll(() => page.getByTestId('import-good-count').getAttribute('data-count')).toBe('4');
  expect(await page.getByTestId('import-issue').evaluateAll((items) => items.map((li) => li.getAttribute('data-line')))).toEqual(['5', '6']);
  await page.getByTestId('import-confirm').click();
  await expectInstructions(page, ['Translate to French', 'Summarise the post', 'Define dog', 'Define cat']);
  // The script payload is shown as text and never ran.
  expect(await page.getByText('<script>alert(1)</script>', { exact: false }).count()).toBe(1);
  expect(await page.locator('main script').count()).toBe(0);

  // Search and filters.
  await page.getByTestId('examples-search').fill('bonjour');
  await expectInstructions(page, ['Translate to French']);
  await page.getByTestId('examples-search').fill('');
  await page.getByTestId('examples-tag').selectOption('animals');
  await expectInstructions(page, ['Define dog', 'Define cat']);
  await page.getByTestId('examples-tag').selectOption('');
  await page.getByTestId('examples-site').selectOption('blog.example');
  await expectInstructions(page, ['Summarise the post']);
  await page.getByTestId('examples-site').selectOption('');
  await expectInstructions(page, ['Translate to French', 'Summarise the post', 'Define dog', 'Define cat']);

  // Edit in the dialog.
  await page.getByTestId('example-row').filter({ hasText: 'Define cat' }).getByTestId('example-edit').click();
  await page.getByTestId('editor-output').fill('A small feline that purrs.');
  await page.getByTestId('editor-tags').fill('animals, cats');
  await page.getByTestId('editor-save').click();
  await page.getByTestId('editor-dialog').waitFor({ state: 'detached' });
  await expect.poll(() => page.getByTestId('example-row').filter({ hasText: 'Define cat' }).getByTestId('example-output').textContent()).toBe('A small feline that purrs.');

  // Delete, then Undo from the toast.
  await page.getByTestId('example-row').filter({ hasText: 'Define dog' }).getByTestId('example-delete').click();
  await expectInstructions(page, ['Translate to French', 'Summarise the post', 'Define cat']);
  await page.getByTestId('toast-undo').click();
  await expectInstructions(page, ['Translate to French', 'Summarise the post', 'Define dog', 'Define cat']);
  const before = await listedContent(page);

  // Export downloads a JSONL file with one Alpaca object per line.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('examples-export').click()]);
  expect(download.suggestedFilename()).toMatch(/^attune-examples-\d{4}-\d{2}-\d{2}\.jsonl$/);
  const exported = await readFile((await download.path())!, 'utf8');
  const lines = exported.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(lines).toHaveLength(4);
  expect(lines.map((l) => l.instruction)).toEqual(['Define cat', 'Define dog', 'Summarise the post', 'Translate to French']);
  expect(lines[0]).toMatchObject({ instruction: 'Define cat', input: '', output: 'A small feline that purrs.', tags: ['animals', 'cats'] });

  // The data survives closing and relaunching the browser on the same profile.
  await ext.close();
  launched.splice(launched.indexOf(ext), 1);
  const restarted = await openDashboard(profileDir);
  await expectInstructions(restarted.page, ['Translate to French', 'Summarise the post', 'Define dog', 'Define cat']);
  expect(await listedContent(restarted.page)).toEqual(before);

  // Importing the export into a fresh profile gives the same examples; a second import adds none.
  // First, Escape on the preview (keyboard, focus is in the dialog) writes nothing.
  const fresh = await openDashboard(newProfileDir());
  await importFile(fresh.page, download.suggestedFilename(), exported);
  await expect.poll(() => fresh.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('import-confirm');
  await fresh.page.keyboard.press('Escape');
  await fresh.page.getByTestId('import-preview').waitFor({ state: 'detached' });
  await fresh.page.reload();
  await fresh.page.getByTestId('examples-empty').waitFor();
  await importFile(fresh.page, download.suggestedFilename(), exported);
  expect(await fresh.page.getByTestId('import-issue').count()).toBe(0);
  await fresh.page.getByTestId('import-confirm').click();
  await expectInstructions(fresh.page, ['Translate to French', 'Summarise the post', 'Define dog', 'Define cat']);
  expect(await listedContent(fresh.page)).toEqual(before);
  await importFile(fresh.page, 'again.jsonl', exported);
  await fresh.page.getByTestId('import-confirm').click();
  await expect.poll(() => fresh.page.getByTestId('toast-message').last().textContent()).toBe('Imported 0 examples; skipped 4 duplicates.');
  expect(await fresh.page.getByTestId('example-row').count()).toBe(4);

  // Bulk delete with the keyboard (Space on "select all"), then Undo brings all four back.
  await fresh.page.getByTestId('examples-select-all').focus();
  await fresh.page.keyboard.press('Space');
  await expect.poll(() => fresh.page.getByTestId('examples-delete-selected').textContent()).toContain('(4)');
  await fresh.page.getByTestId('examples-delete-selected').click();
  await fresh.page.getByTestId('examples-empty').waitFor();
  await fresh.page.getByTestId('toast-undo').click();
  await expectInstructions(fresh.page, ['Translate to French', 'Summarise the post', 'Define dog', 'Define cat']);
  expect(await listedContent(fresh.page)).toEqual(before);
});

test('settings: chip toggle and language persist; storage usage and persistence are shown', async () => {
  const { ext, page } = await openDashboard();
  await page.getByTestId('dashboard-tab-settings').click();
  const chip = page.getByTestId('settings-chip');
  expect(await chip.isChecked()).toBe(true);
  await chip.uncheck();
  await page.getByTestId('settings-language').selectOption('zh_CN');
  await expect.poll(() => page.getByTestId('dashboard-tab-examples').textContent()).toBe('示例');

  const usage = page.getByTestId('settings-storage-usage');
  await usage.waitFor();
  expect(Number(await usage.getAttribute('data-quota'))).toBeGreaterThan(0);
  expect(Number(await usage.getAttribute('data-usage'))).toBeGreaterThanOrEqual(0);
  expect(['true', 'false']).toContain(await page.getByTestId('settings-persisted').getAttribute('data-persisted'));

  // The settings are stored, not just shown: a reload (and the URL hash) brings them back.
  await page.reload();
  await page.getByTestId('settings-chip').waitFor();
  expect(await page.getByTestId('settings-chip').isChecked()).toBe(false);
  expect(await page.getByTestId('settings-language').inputValue()).toBe('zh_CN');
  expect(await page.getByTestId('dashboard-tab-examples').textContent()).toBe('示例');
  await ext.close();
  launched.splice(launched.indexOf(ext), 1);
});
