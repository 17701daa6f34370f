// Typed reads of adapter_config.json fields. Adapter files come from disk or a download, so every
// field is checked and a wrong one is named in the error instead of failing later in a matmul.
import { AdapterFormatError } from '../errors';

export type JsonObject = Record<string, unknown>;

export function readNumber(json: JsonObject, field: string, fallback?: number): number {
  const value = json[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AdapterFormatError(`adapter_config.json field "${field}" must be a number`);
  }
  return value;
}

export function readString(json: JsonObject, field: string, fallback?: string): string {
  const value = json[field] ?? fallback;
  if (typeof value !== 'string') {
    throw new AdapterFormatError(`adapter_config.json field "${field}" must be a string`);
  }
  return value;
}

export function readBoolean(json: JsonObject, field: string, fallback: boolean): boolean {
  const value = json[field] ?? fallback;
  if (typeof value !== 'boolean') {
    throw new AdapterFormatError(`adapter_config.json field "${field}" must be true or false`);
  }
  return value;
}

/** PEFT allows `target_modules` as a list of names or one regular expression. */
export function readTargets(json: JsonObject, field: string): string | string[] {
  const value = json[field];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return [...value];
  throw new AdapterFormatError(`adapter_config.json field "${field}" must be a list of module names or a pattern`);
}

/** Fields whose non-default value means a feature Attune does not implement: refuse, don't guess. */
export function refuseUnsupported(json: JsonObject, unsupported: Record<string, (value: unknown) => boolean>): void {
  for (const [field, isUsed] of Object.entries(unsupported)) {
    if (field in json && isUsed(json[field])) {
      throw new AdapterFormatError(
        `it uses "${field}" = ${JSON.stringify(json[field])}, which Attune does not support`,
      );
    }
  }
}

export const isNonEmpty = (value: unknown): boolean =>
  value !== null &&
  value !== undefined &&
  !(Array.isArray(value) && value.length === 0) &&
  !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0);
