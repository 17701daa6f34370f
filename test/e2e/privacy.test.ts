// Privacy, proven: the whole capture → train → chat run (the demo) inside real Chromium with every
// host name unresolvable and every request logged (NetLog), then a count of what tried to leave.
// A control run shows the same check does catch a request the extension makes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runDemo } from '../../tools/demo/demo';
import { extensionUrl, launchExtension } from './harness';
import { summariseNetLog } from './support/net-log';

test('capture → one-click training → chat sends nothing off the machine', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'attune-privacy-'));
  const report = await runDemo({ outDir });
  const network = await summariseNetLog(join(outDir, 'net-log.json'));
  // The log saw the run: the sample pages served from 127.0.0.1 were requested.
  expect(network.requests.some((r) => /^http:\/\/127\.0\.0\.1:\d+\/foxes\.html$/.test(r.url))).toBe(true);
  expect(report.examples).toBe(20);
  expect(report.tunedAnswer).not.toBe(report.baseAnswer);
  expect(network.leavingFromPagesOrExtension).toEqual([]);
  expect(report.requestsLeavingFromAttune).toEqual([]);
});

test('the check catches a request an extension page or the service worker tries to send out', async () => {
  const netLogPath = join(mkdtempSync(join(tmpdir(), 'attune-netlog-')), 'net-log.json');
  const ext = await launchExtension({ netLogPath });
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/dashboard.html'));
  await page.evaluate(() => fetch('https://leak-check.invalid/from-page').catch(() => undefined));
  await ext.serviceWorker.evaluate(() => fetch('https://leak-check.invalid/from-worker').catch(() => undefined));
  await ext.close();
  const network = await summariseNetLog(netLogPath);
  const leaked = network.leavingFromPagesOrExtension.map((r) => r.url);
  expect(leaked).toEqual(
    expect.arrayContaining(['https://leak-check.invalid/from-page', 'https://leak-check.invalid/from-worker']),
  );
  expect(network.leavingFromPagesOrExtension.every((r) => r.initiator === `chrome-extension://${ext.extensionId}`)).toBe(true);
});
