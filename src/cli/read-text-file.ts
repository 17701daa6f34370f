// Reads a UTF-8 file named on the command line; an unreadable path is a usage error (one line, exit 2).
import { readFileSync } from 'node:fs';
import { UsageError } from './args';

export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}
