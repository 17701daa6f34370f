// The contracts of capture, shared by the content script, the PWA and the capture form: what the
// form needs to save (CaptureApi, one per shell) and what opens it (CaptureController).
import type { CaptureMode, CaptureSettings, ExampleSavePayload, TemplateSummary } from '../messaging/protocol';

/** How a save attempt ended, as the form shows it. */
export type SaveOutcome =
  | { kind: 'saved'; count?: number }
  | { kind: 'duplicate' }
  | { kind: 'failed'; reason: string };

/**
 * What the content script decided for one mouseup/keyup it heard (exactly one per event):
 * - `shown`: the chip is on screen for the selection;
 * - `no-selection`: nothing capturable is selected (an input, a collapsed or empty selection);
 * - `chip-off`: the person turned the chip off in Settings;
 * - `untrusted`: the event was made by a script, not by the person (a page cannot raise the chip);
 * - `form-open`: the capture form is open, so no chip;
 * - `inside-ui`: the event happened in the chip or the form itself.
 */
export type ChipDecision = 'shown' | 'no-selection' | 'chip-off' | 'untrusted' | 'form-open' | 'inside-ui';

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
