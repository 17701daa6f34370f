// "Sites & tags": what an adapter is bound to. Each entry is added or removed at once (validated
// by the repository, so a bad pattern shows its one-line reason under the field and nothing is
// saved). Enter in a field adds its entry; every control is labelled.
import '../../i18n/bindings';
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import type { AdapterBindings } from '../../binding/bindings';
import { splitEntries } from '../../binding/bindings';
import type { AttuneDb } from '../../storage/db';
import { bindingsOf, getAdapter, setAdapterBindings } from '../../storage/adapters-repo';
import type { AdapterRecord } from '../../storage/schema';
import { Dialog } from '../dashboard/Dialog';
import { describeError } from '../describe-error';

interface Props {
  db: AttuneDb;
  record: AdapterRecord;
  onClose(): void;
  /** Called after each saved change, so the list behind the dialog shows it. */
  onChanged(): void;
}

export function BindingsDialog({ db, record, onClose, onChanged }: Props) {
  const [bindings, setBindings] = useState<AdapterBindings>(bindingsOf(record));

  async function save(next: { sites?: string[]; tags?: string[] }): Promise<string | null> {
    try {
      const current = await getAdapter(db, record.id);
      if (!current) return t('adapters.gone', { name: record.name });
      const stored = await setAdapterBindings(db, record.id, { ...bindingsOf(current), ...next });
      if (!stored) return t('adapters.gone', { name: record.name });
      setBindings(stored);
      onChanged();
      return null;
    } catch (error) {
      return describeError(error);
    }
  }

  return (
    <Dialog title={t('bindings.title', { name: record.name })} onClose={onClose} testId="bindings-dialog">
      <p class="hint">{t('bindings.hint')}</p>
      <EntryList
        field="sites"
        heading={t('bindings.sites')}
        empty={t('bindings.sites.none')}
        addLabel={t('bindings.sites.add')}
        placeholder="*.example.com"
        entries={bindings.sites}
        onSave={(sites) => save({ sites })}
      />
      <EntryList
        field="tags"
        heading={t('bindings.tags')}
        hint={t('bindings.tags.hint')}
        empty={t('bindings.tags.none')}
        addLabel={t('bindings.tags.add')}
        placeholder="work"
        entries={bindings.tags}
        onSave={(tags) => save({ tags })}
      />
      <div class="toolbar">
        <button type="button" class="primary" data-testid="bindings-close" onClick={onClose}>
          {t('bindings.close')}
        </button>
      </div>
    </Dialog>
  );
}

interface EntryListProps {
  field: 'sites' | 'tags';
  heading: string;
  hint?: string;
  empty: string;
  addLabel: string;
  placeholder: string;
  entries: string[];
  /** Saves the whole list; resolves to an error message, or null when saved. */
  onSave(entries: string[]): Promise<string | null>;
}

function EntryList({ field, heading, hint, empty, addLabel, placeholder, entries, onSave }: EntryListProps) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputId = `bindings-${field}-input`;
  const errorId = `bindings-${field}-error`;

  async function add() {
    const added = splitEntries(draft);
    if (added.length === 0) return;
    const problem = await onSave([...entries, ...added]);
    setError(problem);
    if (problem === null) setDraft('');
  }

  return (
    <section class="bindings-list" aria-labelledby={`bindings-${field}-heading`} data-testid={`bindings-${field}`}>
      <h3 id={`bindings-${field}-heading`}>{heading}</h3>
      {hint && <p class="hint">{hint}</p>}
      {entries.length === 0 ? (
        <p class="hint" data-testid={`bindings-${field}-empty`}>
          {empty}
        </p>
      ) : (
        <ul class="chips">
          {entries.map((entry) => (
            <li key={entry} data-testid={`bindings-${field}-entry`}>
              <code>{entry}</code>{' '}
              <button
                type="button"
                aria-label={t('bindings.remove', { entry })}
                data-testid={`bindings-${field}-remove`}
                onClick={() => void onSave(entries.filter((e) => e !== entry)).then(setError)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <label for={inputId}>{addLabel}</label>
        <input
          id={inputId}
          type="text"
          data-testid={inputId}
          placeholder={placeholder}
          value={draft}
          aria-invalid={error !== null}
          aria-describedby={error ? errorId : undefined}
          onInput={(event) => setDraft(event.currentTarget.value)}
        />
        <button type="submit" data-testid={`bindings-${field}-add`} disabled={draft.trim() === ''}>
          {t('bindings.add')}
        </button>
      </form>
      {error && (
        <p class="form-error" role="alert" id={errorId} data-testid={`bindings-${field}-error`}>
          {error}
        </p>
      )}
    </section>
  );
}
