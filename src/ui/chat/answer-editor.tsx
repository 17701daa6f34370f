// "Edit & save": the capture form (src/ui/capture/CaptureForm), prefilled with the question and
// the answer, in the same closed shadow-root mount the capture UI uses elsewhere, so the person
// corrects the answer before it is saved as an example.
import { render } from 'preact';
import type { CaptureApi, SaveOutcome } from '../../capture/api';
import type { CapturePrefill } from '../../capture/prefill';
import { mergeTemplates } from '../../capture/templates';
import { truncateToLimit } from '../../capture/truncate';
import { t } from '../../i18n';
import type { ExampleSavePayload } from '../../messaging/protocol';
import { CaptureForm } from '../capture/CaptureForm';
import { createShadowMount, type ShadowMount } from '../capture/shadow-mount';

/** How long "Saved" stays before the form closes itself (as for captures in pages). */
const CLOSE_AFTER_SAVE_MS = 1500;

export interface AnswerEditorOptions {
  example: ExampleSavePayload;
  templatesFrom: Pick<CaptureApi, 'listUserTemplates' | 'saveTemplate'>;
  save(example: ExampleSavePayload): Promise<SaveOutcome>;
}

function prefillOf(example: ExampleSavePayload): CapturePrefill {
  const input = truncateToLimit(example.input);
  const output = truncateToLimit(example.output);
  const truncated: CapturePrefill['truncated'] = [];
  if (input.truncated) truncated.push({ field: 'input', originalLength: input.originalLength });
  if (output.truncated) truncated.push({ field: 'output', originalLength: output.originalLength });
  return { input: input.text, output: output.text, truncated };
}

let mount: ShadowMount | null = null;

/** Opens the form over the chat; focus returns to where it was when the form closes. */
export async function openAnswerEditor(doc: Document, options: AnswerEditorOptions): Promise<void> {
  const returnFocusTo = doc.activeElement;
  const templates = mergeTemplates(await options.templatesFrom.listUserTemplates().catch(() => []));
  mount ??= createShadowMount(doc);
  const layer = mount.layer;
  let closeTimer: ReturnType<typeof setTimeout> | undefined;
  const close = () => {
    clearTimeout(closeTimer);
    render(null, layer);
    if (returnFocusTo instanceof HTMLElement && returnFocusTo.isConnected) returnFocusTo.focus();
  };
  render(
    <CaptureForm
      key={Date.now()}
      prefill={prefillOf(options.example)}
      instruction={options.example.instruction}
      templates={templates}
      source={{ url: '', title: t('chat.example.source') }}
      onSaveTemplate={(name, instruction, urlPattern) =>
        options.templatesFrom.saveTemplate(name, instruction, urlPattern)
      }
      onSave={async (payload) => {
        const outcome = await options.save({ ...payload, origin: 'chat' });
        if (outcome.kind === 'saved') closeTimer = setTimeout(close, CLOSE_AFTER_SAVE_MS);
        return outcome;
      }}
      onClose={close}
    />,
    layer,
  );
}
