// A small flag parser for the CLI: `--name value`, `--name=value`, boolean `--flag`.
// Each command declares its flags; anything else is a UsageError, so typos never pass silently.
import { AttuneError } from '../errors/attune-error';

export type FlagType = 'string' | 'number' | 'integer' | 'boolean';

export interface FlagSpec {
  type: FlagType;
  description: string;
  required?: boolean;
  /** May be given more than once; the values arrive as a list, in order. Strings only. */
  multiple?: boolean;
}


export type FlagSpecs = Record<string, FlagSpec>;
export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

/** Wrong command-line usage (exit code 2). */
export class UsageError extends AttuneError {
  constructor(detail: string) {
    super('error.usage', { detail });
  }
}

export function parseFlags(argv: readonly string[], specs: FlagSpecs): FlagValues {
  const values: FlagValues = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const [name, inline] = splitInline(arg.slice(2));
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown flag --${name}; --help lists this command's flags`);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value`);
    if (spec.multiple) {
      const list = (values[name] as string[] | undefined) ?? [];
      values[name] = [...list, raw];
      continue;
    }
    values[name] = convert(name, raw, spec.type);
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && values[name] === undefined) throw new UsageError(`--${name} is required`);
  }
  return values;
}

function splitInline(text: string): [string, string | undefined] {
  const eq = text.indexOf('=');
  return eq < 0 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
}

function convert(name: string, raw: string, type: FlagType): string | number {
  if (type === 'string') return raw;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || (type === 'integer' && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be ${type === 'integer' ? 'an integer' : 'a number'}, got "${raw}"`);
  }
  return value;
}

export function formatFlags(specs: FlagSpecs): string {
  return Object.entries(specs)
    .map(([name, spec]) => `  --${name}${spec.type === 'boolean' ? '' : ` <${spec.type}>`}${spec.required ? ' (required)' : ''}${spec.multiple ? ' (repeatable)' : ''}\n      ${spec.description}`)
    .join('\n');
}
