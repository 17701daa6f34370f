// Capture keeps what the page meant, in real Chromium on documentation-style fixture pages:
// prose hard-wrapped in the HTML source, code with indentation, tables, nested lists, and a heavy
// CSS/JS page. Each test selects as a person would and asserts the exact text the form is
// prefilled with. Run `npx wxt build` first.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchExtension, type LaunchedExtension } from '../../tools/harness/browser';
import { CaptureUi, selectAll, selectText } from '../../tools/harness/capture-ui';
import { startFixtureServer, type FixtureServer } from '../../tools/harness/fixture-server';

let ext: LaunchedExtension;
let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer();
  ext = await launchExtension();
});
afterAll(async () => {
  await ext?.close();
  await server?.close();
});

async function openFixture(name: string, width = 1100): Promise<{ page: Page; ui: CaptureUi }> {
  const page = await ext.context.newPage();
  await page.setViewportSize({ width, height: 800 });
  await page.goto(`${server.origin}/${name}`);
  await page.bringToFront();
  const ui = await CaptureUi.attach(page);
  await ui.contentScriptReady();
  return { page, ui };
}

/** Opens the form from the chip under the current selection; returns its input and output. */
async function captured(ui: CaptureUi): Promise<{ input: string; output: string }> {
  await ui.click('capture-chip');
  await ui.waitFor('capture-form');
  return { input: await ui.read('capture-input'), output: await ui.read('capture-output') };
}

const MOON =
  'The explanation starts with the Moon. Its gravity pulls hardest on the side of the Earth that faces it and least on the far side, so the oceans are stretched into a gentle oval with a bulge on each side of the planet. As the Earth turns underneath the two bulges, a given stretch of coast passes through both of them, and that is why most places see two high waters a day rather than one.';

test('a sentence selected across a source line break keeps its paragraph, both without the source line breaks', async () => {
  const { page, ui } = await openFixture('docs-prose.html');
  await selectText(page, 'p-moon', 'As the Earth turns', 'rather than one.');
  expect(await captured(ui)).toEqual({
    output:
      'As the Earth turns underneath the two bulges, a given stretch of coast passes through both of them, and that is why most places see two high waters a day rather than one.',
    input: MOON,
  });
  await page.close();
});

test('prose across paragraphs, a heading, links and emphasis: paragraphs kept, lines as rendered', async () => {
  const { page, ui } = await openFixture('docs-prose.html');
  await selectText(page, 'article', 'High water does not', 'neap tides follow.');
  const { output } = await captured(ui);
  expect(output).toBe(
    [
      'High water does not arrive at the same clock time each day. Because the Moon moves along its orbit while the Earth spins, the coast needs an extra fifty minutes or so to catch up with the bulge, and the tide tables slide later day by day. Sailors who forget this find their boats sitting on the mud.',
      '## The Sun takes part too',
      'The Sun raises its own, smaller pair of bulges. When Sun, Moon and Earth line up, at new and full moon, the two effects add and the range between high and low water is largest; these are the spring tides, which have nothing to do with the season. A week later the Sun pulls at right angles to the Moon, the effects partly cancel, and the weaker neap tides follow.',
    ].join('\n\n'),
  );
  await page.close();
});

const YAML = `# /etc/syncd/syncd.yaml
interval: 5m
folders:
  - path: /home/ana/Documents
    exclude:
      - "*.tmp"
      - ".cache/"
  - path: /srv/photos
    readonly: true
history:
  keep_days: 30`;

test('code selected inside a code block is captured verbatim, indentation included', async () => {
  const { page, ui } = await openFixture('docs-config.html');
  await selectAll(page, 'code-yaml');
  expect(await captured(ui)).toEqual({ input: '', output: YAML });
  await page.close();
});

test('prose with a code block: the code is fenced and verbatim, the Copy button and hidden anchors are left out', async () => {
  const { page, ui } = await openFixture('docs-config.html');
  await selectAll(page, 'sec-quickstart');
  const { output } = await captured(ui);
  expect(output).toBe(
    [
      '## Checking a file',
      'Run the daemon once in the foreground to check a new configuration before installing it as a service:',
      '```sh\nsyncd --config ./syncd.yaml \\\n      --once --verbose\n```',
      'It exits with status 0 when the file is valid.',
    ].join('\n\n'),
  );
  await page.close();
});

test('a table is captured as Markdown rows with its header', async () => {
  const { page, ui } = await openFixture('docs-config.html');
  await selectAll(page, 'options-table');
  const { output } = await captured(ui);
  expect(output).toBe(
    [
      '| Key | Type | Default | Meaning |',
      '| --- | --- | --- | --- |',
      '| interval | duration | 5m | How often the folders are compared. Shorter intervals use more battery. |',
      '| folders | list | [] | The folders to mirror, each with a path. |',
      '| readonly | boolean | false | Never write into this folder; only read from it. |',
      '| history.keep_days | integer | 14 | Days of old versions kept. Use 0 to keep none. |',
    ].join('\n'),
  );
  await page.close();
});

test('some rows of a table keep the column names of its header', async () => {
  const { page, ui } = await openFixture('docs-config.html');
  await selectText(page, 'options-table', 'readonly', 'to keep none.');
  const { output } = await captured(ui);
  expect(output).toBe(
    [
      '| Key | Type | Default | Meaning |',
      '| --- | --- | --- | --- |',
      '| readonly | boolean | false | Never write into this folder; only read from it. |',
      '| history.keep_days | integer | 14 | Days of old versions kept. Use 0 to keep none. |',
    ].join('\n'),
  );
  await page.close();
});

test('an ordered list with nested lists keeps numbers, bullets and indentation', async () => {
  const { page, ui } = await openFixture('docs-lists.html');
  await selectAll(page, 'steps');
  const { output } = await captured(ui);
  expect(output).toBe(
    [
      '1. Sign in with your work account and let the first updates install.',
      '2. Turn on disk encryption:',
      '   - On Windows, open Settings → Privacy & security → Device encryption.',
      '   - On macOS, open System Settings → Privacy & Security → FileVault.',
      '3. Install the password manager, then:',
      '   1. import the vault from the invitation email;',
      '   2. turn on the browser extension.',
      '4. Restart, and check that the lock screen asks for your password.',
    ].join('\n'),
  );
  await page.close();
});

test('a selection starting at the third step keeps its number; a bulleted list keeps its nesting', async () => {
  const { page, ui } = await openFixture('docs-lists.html');
  await selectText(page, 'steps', 'Install the password manager', 'for your password.');
  expect((await captured(ui)).output).toBe(
    [
      '3. Install the password manager, then:',
      '   1. import the vault from the invitation email;',
      '   2. turn on the browser extension.',
      '4. Restart, and check that the lock screen asks for your password.',
    ].join('\n'),
  );
  await ui.click('capture-cancel');
  await selectAll(page, 'bring');
  expect((await captured(ui)).output).toBe(
    [
      '- The laptop, charged.',
      '- Any adapters you need:',
      '  - USB-C to HDMI',
      '  - USB-C to Ethernet',
      '- Your badge photo, if you have not sent it yet.',
    ].join('\n'),
  );
  await page.close();
});

test('a heavy CSS/JS page: only what is shown is captured (no hidden, script, style or screen-reader-only text)', async () => {
  const { page, ui } = await openFixture('heavy.html');
  await page.waitForSelector('#reading-time'); // the page's own script has rewritten it
  await selectAll(page, 'article-body');
  const { output } = await captured(ui);
  expect(output).toBe(
    [
      '1 min read',
      'Ten years ago the overnight train looked finished. Budget airlines had undercut it on price, high-speed lines had undercut it on time, and the rolling stock was older than many of its passengers.',
      'The revival began with small operators leasing refurbished carriages and selling them as an experience: a proper bed, breakfast at the border, a window onto the mountains at first light.',
      '## What the numbers say',
      'Occupancy on the busiest routes now passes 80 percent in summer. Operators say the limit is no longer demand but the number of sleeping cars they can find.',
      '> “People book the train for the night, not for the distance.”',
      'Whether the boom lasts depends on money for new carriages, which take years to build, and on whether track access at night stays cheap.',
    ].join('\n\n'),
  );
  await page.close();
});

test('a selection ending at a full-width line keeps the chip inside the window, with no horizontal scrollbar', async () => {
  for (const width of [1100, 480]) {
    const { page, ui } = await openFixture('heavy.html', width);
    await selectAll(page, 'standfirst');
    await ui.waitFor('capture-chip');
    const [left, , right] = await ui.box('capture-chip');
    const viewport = await page.evaluate(() => ({
      width: document.documentElement.clientWidth,
      scrollWidth: document.documentElement.scrollWidth,
    }));
    expect(left).toBeGreaterThanOrEqual(0);
    expect(right).toBeLessThanOrEqual(viewport.width);
    expect(viewport.scrollWidth).toBe(viewport.width);
    await page.close();
  }
});
