// Runs the attune CLI as users run it (bin/attune.mjs: src/cli/main.ts through tsx), in a child
// process, so exit codes, stdout and stderr are the real ones. Shared by the CLI tests.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'models');

export interface CliResult {
  status: number | null;
  /** Set when the child was killed (e.g. SIGTERM at the timeout). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function attune(args: readonly string[], options: { timeoutMs?: number } = {}): CliResult {
  const child = spawnSync(process.execPath, [join(ROOT, 'bin', 'attune.mjs'), ...args], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return { status: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr };
}
