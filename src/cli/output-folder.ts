// --out <folder>: checked before any work starts, so a typo or a read-only location is reported
// at once instead of after minutes of training. The check writes and removes one empty probe
// folder, because permission bits alone do not tell (root ignores them; read-only mounts do not).
import { existsSync, mkdtempSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './args';

/** The resolved folder, once it is known that it is (or can become) a writable folder. */
export function checkOutputFolder(value: string, flag = '--out'): string {
  const path = resolve(value);
  if (existsSync(path) && !statSync(path).isDirectory()) {
    throw new UsageError(`${flag} ${value} is a file; pass a folder (it will hold the output files)`);
  }
  let existing = path;
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    throw new UsageError(
      `${flag} ${value} cannot be written: ${existing} is a file, not a folder; choose another path`,
    );
  }
  try {
    rmdirSync(mkdtempSync(join(existing, '.attune-write-check-')));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'not writable';
    throw new UsageError(
      `${flag} ${value} cannot be written (${code} in ${existing}); choose a folder you can write to`,
    );
  }
  return path;
}
