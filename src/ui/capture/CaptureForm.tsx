// The capture form: one form for the chip, the context menu, the keyboard command and the popup.
// Everything captured is rendered as text (JSX text and form values), never as HTML.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { JSX } from 'preact';
import { t } from '../../i18n';
import '../../i18n/capture';
import { MAX_FIELD_CHARS } from '../../dataset/example';
import { parseTags } from '../../capture/clean';
import type { SaveOutcome } from '../../capture/api';
import type { CapturePrefill } from '../../capture/prefill';
import { templateForUrl } from '../../capture/templates';
import type { ExampleSavePayload, TemplateSummary } from '../../messaging/protocol';
import { trapTab } from './focus-trap';

export interface CaptureFormProps {
  prefill: CapturePrefill;
  templates: TemplateSummary[];
  source: { url: string; title: string };
  /**
   * An instruction to start with instead of the site's template (the chat's "Edit & save": the
   * question that was asked). It is offered as the first entry of the template list.
   */
  instruction?: string;
  onSave(payload: ExampleSavePayload): Promise<SaveOutcome>;
  /** `urlPattern` is the page's host when the person ticks "Preselect on <host>", else ''. */
  onSaveTemplate(name: string, instruction: string, urlPattern: string): Promise<TemplateSummary>;
  onClose(): void;
}

type Message = { tone: 'status' | 'error'; text: string } | null;

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

function truncationNotice(prefill: CapturePrefill): string[] {
  return prefill.truncated.map(({ field, originalLength }) =>
    t('capture.form.truncated', {
      field: t(field === 'input' ? 'capture.field.input' : 'capture.field.output'),
      limit: MAX_FIELD_CHARS.toLocaleString(),
      length: originalLength.toLocaleString(),
    }),
  );
}

function outcomeMessage(outcome: SaveOutcome): Message {
  if (outcome.kind === 'saved') {
    const text =
      outcome.count === undefined ? t('capture.form.savedNoCount') : t('capture.form.saved', { count: outcome.count });
    return { tone: 'status', text };
  }
  if (outcome.kind === 'duplicate') return { tone: 'error', text: t('capture.form.duplicate') };
  return { tone: 'error', text: t('capture.form.failed', { reason: outcome.reason }) };
}

/** The id of the template entry that holds a prefilled instruction (never a stored template's). */
const PREFILLED_TEMPLATE_ID = 'prefilled:instruction';

export function CaptureForm(props: CaptureFormProps): JSX.Element {
  const prefilled: TemplateSummary | null =
    props.instruction === undefined
      ? null
      : { id: PREFILLED_TEMPLATE_ID, name: t('capture.form.template.prefilled'), instruction: props.instruction, urlPattern: '' };
  const initialTemplate = prefilled ?? templateForUrl(props.templates, props.source.url);
  const [templates, setTemplates] = useState(prefilled ? [prefilled, ...props.templates] : props.templates);
  const [templateId, setTemplateId] = useState(initialTemplate?.id ?? '');
  const [instruction, setInstruction] = useState(initialTemplate?.instruction ?? '');
  const [input, setInput] = useState(props.prefill.input);
  const [output, setOutput] = useState(props.prefill.output);
  const [tags, setTags] = useState('');
  const [message, setMessage] = useState<Message>(null);
  const [saving, setSaving] = useState(false);
  const [namingTemplate, setNamingTemplate] = useState(false);
  const [templateName, setTemplateName] = useState('');
  const [templateForSite, setTemplateForSite] = useState(false);
  const host = hostOf(props.source.url);
  const dialogRef = useRef<HTMLDivElement>(null);
  const firstFieldRef = useRef<HTMLSelectElement>(null);
  const outputRef = useRef<HTMLTextAreaElement>(null);
  const notices = truncationNotice(props.prefill);

  useEffect(() => {
    // Output is what matters most; when it is empty, start there so the person can type it.
    (props.prefill.output ? firstFieldRef.current : outputRef.current)?.focus();
  }, []);

  const chooseTemplate = (id: string): void => {
    setTemplateId(id);
    const chosen = templates.find((template) => template.id === id);
    if (chosen) setInstruction(chosen.instruction);
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      props.onClose();
      return;
    }
    if (dialogRef.current) trapTab(event, dialogRef.current);
  };

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (saving) return;
    if (!instruction.trim()) return setMessage({ tone: 'error', text: t('capture.form.instructionEmpty') });
    if (!output.trim()) {
      outputRef.current?.focus();
      return setMessage({ tone: 'error', text: t('capture.form.outputEmpty') });
    }
    setSaving(true);
    const outcome = await props.onSave({
      instruction,
      input,
      output,
      tags: parseTags(tags),
      sourceUrl: props.source.url,
      sourceTitle: props.source.title,
    });
    setSaving(false);
    setMessage(outcomeMessage(outcome));
  };

  const saveTemplate = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!templateName.trim() || !instruction.trim()) return;
    try {
      const saved = await props.onSaveTemplate(templateName, instruction, templateForSite ? host : '');
      setTemplates([...templates, saved]);
      setTemplateId(saved.id);
      setNamingTemplate(false);
      setTemplateName('');
      setMessage({ tone: 'status', text: t('capture.form.templateSaved', { name: saved.name }) });
    } catch (error) {
      setMessage({ tone: 'error', text: t('capture.form.failed', { reason: String((error as Error).message ?? error) }) });
    }
  };

  return (
    // The backdrop does not close the form on click: a stray click must not throw away typed text.
    <div class="backdrop" data-testid="capture-backdrop">
      <div
        class="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="attune-capture-title"
        ref={dialogRef}
        onKeyDown={onKeyDown}
        data-testid="capture-form"
      >
        <h2 id="attune-capture-title">{t('capture.form.title')}</h2>
        <p class="source" data-testid="capture-source">
          {t('capture.form.source')}: <span data-testid="capture-source-title">{props.source.title}</span>
          {/* No address (a capture typed in the app, an answer from the chat): no dangling dash. */}
          {props.source.url && ' — '}
          <span data-testid="capture-source-url">{props.source.url}</span>
        </p>
        {notices.map((text) => (
          <p class="notice" role="status" data-testid="capture-truncated" key={text}>
            {text}
          </p>
        ))}
        <form onSubmit={submit} noValidate>
          <div class="field">
            <label for="attune-template">{t('capture.form.template')}</label>
            <select
              id="attune-template"
              ref={firstFieldRef}
              value={templateId}
              onChange={(event) => chooseTemplate(event.currentTarget.value)}
              data-testid="capture-template"
            >
              {templates.map((template) => (
                <option value={template.id} key={template.id}>
                  {template.name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="attune-instruction">{t('capture.form.instruction')}</label>
            <textarea
              id="attune-instruction"
              rows={2}
              value={instruction}
              onInput={(event) => setInstruction(event.currentTarget.value)}
              data-testid="capture-instruction"
            />
            {namingTemplate ? (
              <div class="row">
                <label for="attune-template-name">{t('capture.form.templateName')}</label>
                <input
                  id="attune-template-name"
                  value={templateName}
                  maxLength={100}
                  onInput={(event) => setTemplateName(event.currentTarget.value)}
                  data-testid="capture-template-name"
                />
                {host && (
                  <label class="checkbox">
                    <input
                      type="checkbox"
                      checked={templateForSite}
                      onChange={(event) => setTemplateForSite(event.currentTarget.checked)}
                      data-testid="capture-template-site"
                    />{' '}
                    {t('capture.form.templateForSite', { host })}
                  </label>
                )}
                <button type="button" onClick={saveTemplate} data-testid="capture-template-confirm">
                  {t('capture.form.save')}
                </button>
              </div>
            ) : (
              <button type="button" class="link" onClick={() => setNamingTemplate(true)} data-testid="capture-template-save">
                {t('capture.form.saveTemplate')}
              </button>
            )}
          </div>
          <div class="field">
            <label for="attune-input">{t('capture.form.input')}</label>
            <textarea
              id="attune-input"
              rows={3}
              value={input}
              onInput={(event) => setInput(event.currentTarget.value)}
              data-testid="capture-input"
            />
          </div>
          <div class="field">
            <label for="attune-output">{t('capture.form.output')}</label>
            <textarea
              id="attune-output"
              rows={5}
              ref={outputRef}
              value={output}
              aria-required="true"
              onInput={(event) => setOutput(event.currentTarget.value)}
              data-testid="capture-output"
            />
          </div>
          <div class="field">
            <label for="attune-tags">{t('capture.form.tags')}</label>
            <input id="attune-tags" value={tags} onInput={(event) => setTags(event.currentTarget.value)} data-testid="capture-tags" />
          </div>
          {message && (
            <p
              class={message.tone}
              role={message.tone === 'error' ? 'alert' : 'status'}
              data-testid={message.tone === 'error' ? 'capture-error' : 'capture-status'}
            >
              {message.text}
            </p>
          )}
          <p class="hint">{t('capture.form.closeHint')}</p>
          <div class="actions">
            <button type="button" onClick={props.onClose} data-testid="capture-cancel">
              {t('capture.form.cancel')}
            </button>
            <button type="submit" class="primary" disabled={saving} data-testid="capture-save">
              {saving ? t('capture.form.saving') : t('capture.form.save')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
