// The content-script side of capture: watches selections, shows the chip, opens the one capture
// form (from the chip, the context menu, the keyboard command or the popup) and restores focus.

import { render } from 'preact';
import type { CaptureApi, CaptureController, ChipDecision } from '../../capture/api';
import { prefillFor } from '../../capture/prefill';
import {
  capturableRange,
  chipAnchor,
  chipBounds,
  readRange,
  readSelection,
  type CapturedSelection,
  type ChipBounds,
} from '../../capture/selection';
import { cleanText } from '../../capture/clean';
import { mergeTemplates } from '../../capture/templates';
import type { CaptureMode, CaptureSettings } from '../../messaging/protocol';
import { detectLocale, setLocale } from '../../i18n';
import { CaptureForm, type CaptureFormProps } from './CaptureForm';
import { Chip } from './Chip';
import { createShadowMount, type ShadowMount } from './shadow-mount';

export interface CaptureOptions {
  /** How long the "Saved" confirmation stays before the form closes itself. */
  closeAfterSaveMs?: number;
  /** Told what was decided for each mouseup/keyup, once the decision is made (see ChipDecision). */
  onChipDecision?: (decision: ChipDecision) => void;
  /**
   * Whether an event came from the person rather than a script. The browser's `isTrusted`;
   * replaceable only because jsdom (unit tests) cannot make trusted events.
   */
  isTrusted?: (event: Event) => boolean;
}

type View =
  | { kind: 'idle' }
  | { kind: 'chip'; x: number; y: number; bounds: ChipBounds; range: Range; plainText: string }
  | { kind: 'form'; key: number; props: Omit<CaptureFormProps, 'onClose'> };

export function startCapture(win: Window, api: CaptureApi, options: CaptureOptions = {}): CaptureController {
  const doc = win.document;
  let mount: ShadowMount | null = null;
  let view: View = { kind: 'idle' };
  let chipEnabled = false;
  let returnFocusTo: Element | null = null;
  let closeTimer: ReturnType<typeof setTimeout> | undefined;
  let openings = 0;
  let destroyed = false;
  const decide = options.onChipDecision ?? ((): void => {});
  const isTrusted = options.isTrusted ?? ((event: Event) => event.isTrusted);

  const layer = (): HTMLElement => {
    mount ??= createShadowMount(doc);
    // Single-page apps sometimes rebuild the whole document: put the host back if it was removed.
    if (!mount.host.isConnected) doc.documentElement.append(mount.host);
    return mount.layer;
  };

  const show = (next: View): void => {
    view = next;
    if (next.kind === 'idle') {
      if (mount) render(null, mount.layer);
      return;
    }
    if (next.kind === 'chip') {
      const capture = () => readRange(next.range, next.plainText) ?? undefined;
      render(<Chip x={next.x} y={next.y} bounds={next.bounds} onActivate={() => void openForm('output', undefined, capture())} />, layer());
      return;
    }
    // A new key per opening: a second capture while the form is open starts from fresh fields.
    render(<CaptureForm key={next.key} {...next.props} onClose={closeForm} />, layer());
  };

  function closeForm(): void {
    clearTimeout(closeTimer);
    if (view.kind !== 'form') return;
    show({ kind: 'idle' });
    if (returnFocusTo instanceof HTMLElement && returnFocusTo.isConnected) returnFocusTo.focus();
    returnFocusTo = null;
  }

  async function openForm(mode: CaptureMode, fallbackText?: string, known?: CapturedSelection): Promise<void> {
    const fallback = fallbackText ? cleanText(fallbackText) : '';
    const selection = known ?? readSelection(doc) ?? (fallback ? { text: fallback, paragraph: '' } : null);
    if (view.kind !== 'form') returnFocusTo = doc.activeElement;
    const userTemplates = await api.listUserTemplates().catch(() => []);
    show({
      kind: 'form',
      key: ++openings,
      props: {
        prefill: prefillFor(mode, selection),
        templates: mergeTemplates(userTemplates),
        source: { url: win.location.href, title: doc.title },
        onSaveTemplate: (name, instruction, urlPattern) => api.saveTemplate(name, instruction, urlPattern),
        onSave: async (payload) => {
          const outcome = await api.save(payload);
          if (outcome.kind === 'saved') closeTimer = setTimeout(closeForm, options.closeAfterSaveMs ?? 1500);
          return outcome;
        },
      },
    });
  }

  const isInsideUi = (event: Event): boolean => mount !== null && event.composedPath().includes(mount.host);

  const maybeShowChip = (event: Event): void => {
    // A page can select text and dispatch mouseup itself; only the person's own events raise the
    // chip, so a page cannot place it under the pointer just before a click.
    if (!isTrusted(event)) return decide('untrusted');
    if (view.kind === 'form') return decide('form-open');
    if (isInsideUi(event)) return decide('inside-ui');
    // A selection made while the settings are still on their way (the page just loaded) waits
    // for them instead of being dropped; then, as always, the browser finishes updating the
    // selection for this mouseup/keyup first.
    void settingsLoaded.then(() => {
      if (destroyed) return;
      if (!chipEnabled) return decide('chip-off');
      setTimeout(showChipForSelection, 0);
    });
  };

  const showChipForSelection = (): void => {
    // A decision still on its way when the script was stopped (the extension updated) must not
    // put the host back into the page.
    if (destroyed) return;
    if (view.kind === 'form') return decide('form-open');
    const range = capturableRange(doc);
    if (!range) {
      show({ kind: 'idle' });
      return decide('no-selection');
    }
    const { x, y } = chipAnchor(range, win);
    // The range is kept as it is now: the structured text is read only if the chip is clicked.
    show({ kind: 'chip', x, y, bounds: chipBounds(win), range: range.cloneRange(), plainText: doc.getSelection()?.toString() ?? '' });
    decide('shown');
  };

  const hideChipWhenSelectionGoes = (): void => {
    if (view.kind === 'chip' && doc.getSelection()?.isCollapsed !== false) show({ kind: 'idle' });
  };

  const refreshSettings = async (): Promise<void> => {
    // If the background cannot answer, keep the default (chip on) rather than lose capture.
    const settings = await api.settings().catch((): CaptureSettings => ({ chipEnabled: true, locale: 'auto' }));
    chipEnabled = settings.chipEnabled;
    setLocale(settings.locale === 'auto' ? detectLocale() : settings.locale);
    if (!chipEnabled && view.kind === 'chip') show({ kind: 'idle' });
  };

  const settingsLoaded = refreshSettings();
  doc.addEventListener('mouseup', maybeShowChip, true);
  doc.addEventListener('keyup', maybeShowChip, true);
  doc.addEventListener('selectionchange', hideChipWhenSelectionGoes);

  return {
    openForm: (mode, fallbackText) => openForm(mode, fallbackText),
    isFormOpen: () => view.kind === 'form',
    closeForm,
    refreshSettings,
    destroy() {
      destroyed = true;
      clearTimeout(closeTimer);
      doc.removeEventListener('mouseup', maybeShowChip, true);
      doc.removeEventListener('keyup', maybeShowChip, true);
      doc.removeEventListener('selectionchange', hideChipWhenSelectionGoes);
      if (mount) {
        render(null, mount.layer);
        mount.remove();
      }
      mount = null;
    },
  };
}
