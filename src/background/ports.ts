// What the background's handlers need from the rest of the extension. The real implementations
// (IndexedDB repositories, tabs, scripting) are wired in services.ts; tests pass real storage on
// fake-indexeddb and record the browser-side effects.

import type { ValidExampleDraft } from '../dataset/example';
import type { CaptureMode, CaptureSettings, SaveExampleResult, TemplateSummary } from '../messaging/protocol';

export interface CapturePorts {
  /** Stores a validated example, or reports the identical one already stored. */
  addExample(draft: ValidExampleDraft): Promise<SaveExampleResult>;
  countExamples(): Promise<number>;
  listTemplates(): Promise<TemplateSummary[]>;
  saveTemplate(name: string, instruction: string, urlPattern: string): Promise<TemplateSummary>;
  readCaptureSettings(): Promise<CaptureSettings>;
  /** Opens the capture form in a tab; false when the page cannot host it (chrome://, store, ...). */
  openCaptureForm(tabId: number, mode: CaptureMode, selectionText?: string): Promise<boolean>;
  openDashboard(): Promise<void>;
}
