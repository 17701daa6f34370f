// The flags of `attune train` that belong to a method (--rank, --virtual-tokens, ...): built from
// each registered method's fields, so a new method brings its flags and usage lines with it.
import { UsageError, type FlagSpecs, type FlagValues } from './args';
import { allMethods, getMethod, METHOD_NAMES } from '../tuning/registry';
import type { MethodField, MethodName } from '../tuning/types';

/** `--method` and every method's own flags (a flag two methods share is listed once). */
export function methodFlagSpecs(): FlagSpecs {
  const specs: FlagSpecs = {
    method: { type: 'string', description: `${METHOD_NAMES.join(' | ')} (default ${METHOD_NAMES[0]})` },
  };
  for (const method of allMethods()) {
    for (const field of method.fields) {
      const existing = specs[field.flag];
      if (existing) {
        existing.description += ` [also ${method.name}]`;
        continue;
      }
      specs[field.flag] = { type: field.type, description: `${field.help} [${method.name}]` };
    }
  }
  return specs;
}

/** The chosen method, and its config changes from the flags; a flag of another method is refused. */
export function methodFromFlags(flags: FlagValues): { method: MethodName; config: Record<string, unknown> } {
  const name = (flags.method as string | undefined) ?? METHOD_NAMES[0]!;
  if (!(METHOD_NAMES as readonly string[]).includes(name)) throw new UsageError(`--method must be one of ${METHOD_NAMES.join(', ')}; got "${name}"`);
  const method = getMethod(name as MethodName);
  const config: Record<string, unknown> = {};
  const own = new Map(method.fields.map((f) => [f.flag, f]));
  for (const other of allMethods()) {
    for (const field of other.fields) {
      if (flags[field.flag] === undefined || own.has(field.flag)) continue;
      throw new UsageError(`--${field.flag} belongs to ${other.name}, not ${method.name}`);
    }
  }
  for (const field of method.fields) {
    const value = flags[field.flag];
    if (value !== undefined) config[field.key] = fieldValue(field, value);
  }
  return { method: method.name, config };
}

function fieldValue(field: MethodField, value: string | number | boolean | string[]): unknown {
  if (Array.isArray(value)) throw new UsageError(`--${field.flag} takes one value`);
  if (typeof value === 'number') {
    if (field.min !== undefined ? value < field.min : value <= 0) {
      throw new UsageError(`--${field.flag} must be ${field.min !== undefined ? `at least ${field.min}` : 'greater than 0'}`);
    }
    return value;
  }
  if (field.key === 'targetModules' && typeof value === 'string') return targetModules(value);
  return value;
}

/** PEFT's `target_modules`: one regular expression, or a list of names matched as suffixes. */
function targetModules(value: string): string | string[] {
  if (/[*()[\]|\\^$+?]/.test(value)) return value;
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError('--target needs module names (comma-separated) or a regular expression');
  return names;
}
