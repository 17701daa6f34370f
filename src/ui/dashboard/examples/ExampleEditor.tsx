// Create or edit one example in a dialog. Problems are shown next to their fields before
// anything is written; a duplicate or a vanished example is reported in the dialog.

import { useState } from 'preact/hooks';
import { t } from '../../../i18n';
import { validateExample, type Example, type ExampleProblem, type ValidExampleDraft } from '../../../dataset/example';
import { addExample, updateExample } from '../../../storage/examples-repo';
import { Dialog } from '../Dialog';
import { useDashboard } from '../context';
import { describeProblem } from '../format';
import { errorCode } from '../../../errors/attune-error';
import { describeError } from '../../describe-error';

interface ExampleEditorProps {
  /** The example to edit; undefined creates a new one. */
  example?: Example;
  onSaved: () => void;
  onClose: () => void;
}

type EditableField = 'instruction' | 'input' | 'output' | 'tags';

export function ExampleEditor({ example, onSaved, onClose }: ExampleEditorProps) {
  const { db, showToast } = useDashboard();
  const [values, setValues] = useState<Record<EditableField, string>>({
    instruction: example?.instruction ?? '',
    input: example?.input ?? '',
    output: example?.output ?? '',
    tags: example?.tags.join(', ') ?? '',
  });
  const [problems, setProblems] = useState<ExampleProblem[]>([]);
  const [formError, setFormError] = useState('');
  const [saving, setSaving] = useState(false);

  const draft = () => ({
    instruction: values.instruction,
    input: values.input,
    output: values.output,
    tags: values.tags.split(/[,，]/),
    sourceUrl: example?.sourceUrl ?? '',
    sourceTitle: example?.sourceTitle ?? '',
  });

  async function save(event: Event) {
    event.preventDefault();
    const validation = validateExample(draft());
    if (!validation.ok) {
      setProblems(validation.problems);
      return;
    }
    setProblems([]);
    setSaving(true);
    try {
      const outcome = await persist(validation.draft);
      if (outcome === 'duplicate') setFormError(t('editor.duplicate'));
      else {
        showToast({ message: t('editor.saved') });
        onSaved();
      }
    } catch (error) {
      setFormError(explain(error));
    } finally {
      setSaving(false);
    }
  }

  async function persist(valid: ValidExampleDraft): Promise<'saved' | 'duplicate'> {
    if (example) {
      await updateExample(db, example.id, valid);
      return 'saved';
    }
    const result = await addExample(db, valid);
    return result.status === 'added' ? 'saved' : 'duplicate';
  }

  const field = (name: EditableField, label: string, multiline: boolean) => {
    const id = `editor-${name}`;
    const fieldProblems = problems.filter((p) => p.field === name);
    const errorId = `${id}-error`;
    const props = {
      id,
      value: values[name],
      onInput: (e: Event) => setValues({ ...values, [name]: (e.currentTarget as HTMLInputElement).value }),
      'aria-invalid': fieldProblems.length > 0,
      'aria-describedby': fieldProblems.length > 0 ? errorId : undefined,
      'data-testid': `editor-${name}`,
    };
    return (
      <div class="form-field">
        <label for={id}>{label}</label>
        {multiline ? <textarea rows={name === 'input' ? 3 : 5} {...props} data-autofocus={name === 'instruction' ? true : undefined} /> : <input type="text" {...props} />}
        {fieldProblems.length > 0 && (
          <p class="field-error" id={errorId}>
            {fieldProblems.map(describeProblem).join('; ')}
          </p>
        )}
      </div>
    );
  };

  return (
    <Dialog title={example ? t('editor.titleEdit') : t('editor.titleNew')} onClose={onClose} testId="editor-dialog">
      <form onSubmit={save} noValidate>
        {field('instruction', t('editor.instruction'), true)}
        {field('input', t('editor.input'), true)}
        {field('output', t('editor.output'), true)}
        {field('tags', t('editor.tags'), false)}
        {formError && (
          <p class="form-error" role="alert" data-testid="editor-error">
            {formError}
          </p>
        )}
        <div class="dialog-actions">
          <button type="submit" class="primary" disabled={saving} data-testid="editor-save">
            {t('editor.save')}
          </button>
          <button type="button" onClick={onClose} data-testid="editor-cancel">
            {t('editor.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The editor words two failures for where they happen; others read as the catalogue words them. */
function explain(error: unknown): string {
  const code = errorCode(error);
  if (code === 'example-duplicate') return t('editor.duplicate');
  if (code === 'example-missing') return t('editor.gone');
  return describeError(error);
}
