// What every dashboard view can use: the database, the current settings and the toast area.
// Views read it with useDashboard() instead of opening their own connections.

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { EngineClient } from '../../engine/client/engine-client';
import type { AttuneDb } from '../../storage/db';
import type { Settings } from '../../storage/settings-repo';

export interface ToastRequest {
  message: string;
  kind?: 'info' | 'error';
  /** Shows an Undo button; called when the user presses it. */
  onUndo?: () => void | Promise<void>;
}

export interface DashboardServices {
  db: AttuneDb;
  /** The page's one engine client (extension: offscreen document; PWA: Web Worker). */
  engine: EngineClient;
  settings: Settings;
  /** Saves settings and re-renders the dashboard with them (e.g. a new language). */
  saveSettings(patch: Partial<Settings>): Promise<void>;
  showToast(toast: ToastRequest): void;
}

export const DashboardContext = createContext<DashboardServices | null>(null);

export function useDashboard(): DashboardServices {
  const services = useContext(DashboardContext);
  if (!services) throw new Error('useDashboard() must be used inside the dashboard App.');
  return services;
}
