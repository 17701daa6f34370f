// App settings: one record per key, read with defaults so a fresh install needs no setup.

import type { Locale } from '../i18n';
import type { AttuneDb } from './db';
import { writeTransaction } from './transaction';

export type LocaleSetting = 'auto' | Locale;
export type BackendSetting = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface Settings {
  /** Show the floating "capture" chip next to text selections on web pages. */
  chipEnabled: boolean;
  /** UI language; 'auto' follows the browser. */
  locale: LocaleSetting;
  /** Compute backend for training and chat; 'auto' picks the fastest that works. */
  backend: BackendSetting;
  /** The base model chat and training use (a models-store id); null means the bundled default. */
  activeModelId: string | null;
  /** The adapter chat uses (an adapters-store id); null means the base model alone. */
  activeAdapterId: string | null;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  chipEnabled: true,
  locale: 'auto',
  backend: 'auto',
  activeModelId: null,
  activeAdapterId: null,
});

const VALIDATORS: { [K in keyof Settings]: (value: unknown) => value is Settings[K] } = {
  chipEnabled: (v): v is boolean => typeof v === 'boolean',
  locale: (v): v is LocaleSetting => v === 'auto' || v === 'en' || v === 'zh_CN',
  backend: (v): v is BackendSetting => ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'].includes(v as string),
  activeModelId: (v): v is string | null => v === null || typeof v === 'string',
  activeAdapterId: (v): v is string | null => v === null || typeof v === 'string',
};

/** All settings; a missing or unreadable value falls back to its default. */
export async function getSettings(db: AttuneDb): Promise<Settings> {
  const rows = await db.getAll('settings');
  const settings: Settings = { ...DEFAULT_SETTINGS };
  for (const row of rows) assignIfValid(settings, row.key, row.value);
  return settings;
}

/** Writes the given settings together and returns the full, updated set. */
export async function updateSettings(db: AttuneDb, patch: Partial<Settings>): Promise<Settings> {
  for (const [key, value] of Object.entries(patch)) {
    if (!isSettingKey(key) || !VALIDATORS[key](value)) {
      throw new TypeError(`Setting "${key}" cannot be ${JSON.stringify(value)}.`);
    }
  }
  await writeTransaction(db, ['settings'], async (tx) => {
    for (const [key, value] of Object.entries(patch)) await tx.store.put({ key, value });
  });
  return getSettings(db);
}

function isSettingKey(key: string): key is keyof Settings {
  return Object.hasOwn(DEFAULT_SETTINGS, key);
}

function assignIfValid(settings: Settings, key: string, value: unknown): void {
  if (!isSettingKey(key)) return;
  if (VALIDATORS[key](value)) (settings as unknown as Record<string, unknown>)[key] = value;
}
