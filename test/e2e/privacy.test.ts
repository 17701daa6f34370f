// Privacy, proven: the whole capture → train → chat run (the demo) inside real Chromium with every
// host name unresolvable and every network event logged (NetLog), then a count of everything the
// browser did on the network, whoever started it: pages, content script, service worker,
// offscreen engine and Chromium's own services. Nothing may leave the machine.
// A control run shows the same count does catch a request the extension makes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runDemo } from '../../tools/demo/demo';
import { extensionUrl, launchExtension } from '../../tools/harness/browser';
import { featureSwitches, summariseNetLog, type NetLogSummary } from '../../tools/harness/net-log';

/** Chromium keeps only the last feature switch: it must still hold every earlier request. */
function expectFeatureSwitchesMerged(network: NetLogSummary): void {
  for (const name of ['disable-features', 'enable-features'] as const) {
    const switches = featureSwitches(network.commandLine, name);
    expect(switches.length).toBeGreaterThan(0);
    const effective = switches.at(-1)!;
    for (const earlier of switches) expect(effective).toEqual(expect.arrayContaining(earlier));
  }
  expect(featureSwitches(network.commandLine, 'disable-features').at(-1)).toContain(
    'AutofillServerCommunication',
  );
}

test('capture → one-click training → chat: nothing the browser does leaves the machine', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'attune-privacy-'));
  const started = Date.now();
  const report = await runDemo({ outDir });
  const network = await summariseNetLog(join(outDir, 'net-log.json'));
  console.log(
    `privacy (extension): ${network.requests.length} requests, ${network.sockets.length} sockets, ` +
      `${network.leaving.length + network.socketsLeaving.length} left the machine, ` +
      `${network.routeLookups.length} route lookups (no packet), ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  // The log saw the run: the sample pages served from 127.0.0.1 were requested, every capture.
  const pageLoads = network.requests.filter((r) => /^http:\/\/127\.0\.0\.1:\d+\/\w+\.html$/.test(r.url));
  expect(pageLoads.length).toBeGreaterThanOrEqual(20);
  expect(report.examples).toBe(20);
  expect(report.tunedAnswer).not.toBe(report.baseAnswer);
  // Every request of every initiator, the browser's own services included, stayed on 127.0.0.1.
  expect(network.leaving).toEqual([]);
  expect(network.socketsLeaving).toEqual([]);
  expect(report.requestsLeaving).toEqual([]);
  // Route lookups are UDP connect() calls that sent nothing; the count above would list a datagram.
  expect(network.routeLookups.every((s) => s.bytesSent === 0)).toBe(true);
  expectFeatureSwitchesMerged(network);
});

test('the count catches a request an extension page or the service worker tries to send out', async () => {
  const netLogPath = join(mkdtempSync(join(tmpdir(), 'attune-netlog-')), 'net-log.json');
  const ext = await launchExtension({ netLogPath });
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/dashboard.html'));
  await page.evaluate(() => fetch('https://leak-check.invalid/from-page').catch(() => undefined));
  await ext.serviceWorker.evaluate(() =>
    fetch('https://leak-check.invalid/from-worker').catch(() => undefined),
  );
  // An IP literal needs no name lookup: the count must see it as well.
  await page.evaluate(() => fetch('http://192.0.2.1/from-ip-literal').catch(() => undefined));
  await ext.close();
  const network = await summariseNetLog(netLogPath);
  expect(network.leaving.map((r) => r.url)).toEqual(
    expect.arrayContaining([
      'https://leak-check.invalid/from-page',
      'https://leak-check.invalid/from-worker',
      'http://192.0.2.1/from-ip-literal',
    ]),
  );
  // Only the three leaks: the quiet browser itself added nothing.
  expect(network.leaving).toHaveLength(3);
  expect(network.leaving.every((r) => r.initiator === `chrome-extension://${ext.extensionId}`)).toBe(true);
  expect(network.leavingFromBrowserItself).toEqual([]);
});
