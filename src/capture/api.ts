// The contracts of capture, shared by the content script, the PWA and the capture form: what the
// form needs to save (CaptureApi, one per shell) and what opens it (CaptureController).
import type { CaptureMode, CaptureSettings, ExampleSavePayload, TemplateSummary } from '../messaging/protocol';

/** How a save attempt ended, as the form shows it. */
export type SaveOutcome =
  | { kind: 'saved'; count?: number }
  | { kind: 'duplicate' }
  | { kind: 'failed'; reason: string };

/** What the controller needs from the extension (messages to the background in production). */
export interface CaptureApi {
  save(payload: ExampleSavePayload): Promise<SaveOutcome>;
  listUserTemplates(): Promise<TemplateSummary[]>;
  saveTemplate(name: string, instruction: string, urlPattern: string): Promise<TemplateSummary>;
  settings(): Promise<CaptureSettings>;
}

export interface CaptureController {
  /** Opens the form; `fallbackText` is used when the page's selection is gone (context menu). */
  openForm(mode: CaptureMode, fallbackText?: string): Promise<void>;
  isFormOpen(): boolean;
  closeForm(): void;
  /** Re-reads the chip setting (called when the page becomes visible again). */
  refreshSettings(): Promise<void>;
  destroy(): void;
}
