// The backend override is the storage engineer's `backend` setting (settings-repo). Whatever
// context hosts the engine (offscreen document, dashboard, side panel) starts tfjs through here so
// it honours the user's choice.
import type { AttuneDb } from '../storage/db';
import { getSettings } from '../storage/settings-repo';
import { initBackend, type InitBackendOptions } from './init';
import type { ActiveBackend } from './types';

export async function initBackendFromSettings(
  db: AttuneDb,
  options: Omit<InitBackendOptions, 'override'> = {},
): Promise<ActiveBackend> {
  const { backend } = await getSettings(db);
  return initBackend({ ...options, override: backend });
}
