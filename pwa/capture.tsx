// Opens the shared capture form (src/ui/capture/CaptureForm) in the app page, for a share from
// another app, a paste, or the "New capture" button. Same shadow-root mount as in web pages.
import { render } from 'preact';
import { prefillFor } from '../src/capture/prefill';
import { mergeTemplates } from '../src/capture/templates';
import type { SharedCapture } from '../src/platform/web/share-target';
import type { CaptureApi } from '../src/capture/api';
import { CaptureForm } from '../src/ui/capture/CaptureForm';
import { createShadowMount, type ShadowMount } from '../src/ui/capture/shadow-mount';

/** How long the "Saved" confirmation stays before the form closes itself (as in web pages). */
const CLOSE_AFTER_SAVE_MS = 1500;

export interface CaptureLauncher {
  open(shared: SharedCapture): Promise<void>;
  isOpen(): boolean;
}

export function createCaptureLauncher(doc: Document, api: CaptureApi, onSaved: () => void): CaptureLauncher {
  let mount: ShadowMount | null = null;
  let openings = 0;
  let open = false;
  let returnFocusTo: Element | null = null;
  let closeTimer: ReturnType<typeof setTimeout> | undefined;

  function close(): void {
    clearTimeout(closeTimer);
    if (mount) render(null, mount.layer);
    open = false;
    if (returnFocusTo instanceof HTMLElement && returnFocusTo.isConnected) returnFocusTo.focus();
    returnFocusTo = null;
  }

  return {
    isOpen: () => open,
    async open(shared) {
      clearTimeout(closeTimer);
      if (!open) returnFocusTo = doc.activeElement;
      const templates = mergeTemplates(await api.listUserTemplates().catch(() => []));
      mount ??= createShadowMount(doc);
      open = true;
      // A new key per opening: a second share while the form is open starts from fresh fields.
      render(
        <CaptureForm
          key={++openings}
          prefill={prefillFor('output', { text: shared.text, paragraph: '' })}
          templates={templates}
          source={shared.source}
          onSaveTemplate={(name, instruction, urlPattern) => api.saveTemplate(name, instruction, urlPattern)}
          onSave={async (payload) => {
            const outcome = await api.save(payload);
            if (outcome.kind === 'saved') {
              onSaved();
              closeTimer = setTimeout(close, CLOSE_AFTER_SAVE_MS);
            }
            return outcome;
          }}
          onClose={close}
        />,
        mount.layer,
      );
    },
  };
}
