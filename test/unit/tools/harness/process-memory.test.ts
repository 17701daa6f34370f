// The e2e's browser memory figure: the marked process and every process below it, and nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, expect, test } from 'vitest';
import { browserResidentBytes } from '../../../../tools/harness/process-memory';

const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) child.kill();
});

function rssOf(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

test.runIf(process.platform === 'linux')('sums the resident memory of the marked process and its children only', async () => {
  const marker = `/tmp/attune-memory-test-${process.pid}`;
  // A parent with the marker on its command line that starts a child without it (as Chromium's
  // browser process starts renderers), and prints the child's pid.
  const parent = spawn(
    process.execPath,
    ['-e', "const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);", '--', `--user-data-dir=${marker}`],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  started.push(parent);
  const childPid = Number(
    await new Promise<string>((resolve, reject) => {
      parent.stdout!.once('data', (d: Buffer) => resolve(d.toString()));
      parent.once('exit', (code) => reject(new Error(`the marked process exited (${code})`)));
    }),
  );
  started.push({ kill: () => process.kill(childPid) } as ChildProcess);
  const total = browserResidentBytes(marker);
  const both = rssOf(parent.pid!) + rssOf(childPid);
  // Both processes are counted (their memory moves a little between the two reads).
  expect(total).toBeGreaterThan(0.8 * both);
  expect(total).toBeLessThan(1.2 * both);
  expect(browserResidentBytes(`${marker}-other`)).toBe(0);
});
