// The shape of one CLI command: its flags and what it runs. Commands live in ./commands/, one
// module each; a new flag is one entry in the command's `flags` (shared flags are in common-flags.ts).
import type { FlagSpecs, FlagValues } from './args';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface Command {
  name: string;
  summary: string;
  flags: FlagSpecs;
  run(flags: FlagValues, io: CliIo): Promise<void>;
}
