// The list of examples. Captured text comes from arbitrary web pages, so it is only ever
// rendered as text nodes (JSX children), never as HTML, and links only for http(s) URLs.

import { t } from '../../../i18n';
import type { Example } from '../../../dataset/example';
import { formatDate, safeHttpUrl } from '../format';

interface ExampleListProps {
  examples: Example[];
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onEdit: (example: Example) => void;
  onDelete: (example: Example) => void;
}

export function ExampleList({ examples, selected, onToggle, onEdit, onDelete }: ExampleListProps) {
  return (
    <ul class="example-list" data-testid="examples-list">
      {examples.map((example) => (
        <ExampleItem
          key={example.id}
          example={example}
          checked={selected.has(example.id)}
          onToggle={onToggle}
          onEdit={onEdit}
          onDelete={onDelete}
        />
      ))}
    </ul>
  );
}

interface ExampleItemProps {
  example: Example;
  checked: boolean;
  onToggle: (id: string) => void;
  onEdit: (example: Example) => void;
  onDelete: (example: Example) => void;
}

function ExampleItem({ example, checked, onToggle, onEdit, onDelete }: ExampleItemProps) {
  const headingId = `example-${example.id}-instruction`;
  return (
    <li class="example" data-testid="example-row" data-example-id={example.id} aria-labelledby={headingId}>
      <input
        type="checkbox"
        class="example-select"
        checked={checked}
        onChange={() => onToggle(example.id)}
        aria-label={t('examples.select', { instruction: truncate(example.instruction, 60) })}
        data-testid="example-select"
      />
      <div class="example-body">
        <p class="example-instruction" id={headingId} data-testid="example-instruction">
          {example.instruction}
        </p>
        {example.input && (
          <Field label={t('examples.field.input')} testId="example-input">
            {example.input}
          </Field>
        )}
        <Field label={t('examples.field.output')} testId="example-output">
          {example.output}
        </Field>
        <div class="example-meta">
          {example.tags.length > 0 && (
            <ul class="tags" aria-label={t('examples.field.tags')} data-testid="example-tags">
              {example.tags.map((tag) => (
                <li key={tag} class="tag">
                  {tag}
                </li>
              ))}
            </ul>
          )}
          <Source example={example} />
          <span class="example-date">{t('examples.created', { date: formatDate(example.createdAt) })}</span>
        </div>
      </div>
      <div class="example-actions">
        <button type="button" onClick={() => onEdit(example)} data-testid="example-edit">
          {t('examples.edit')}
        </button>
        <button type="button" class="danger" onClick={() => onDelete(example)} data-testid="example-delete">
          {t('examples.delete')}
        </button>
      </div>
    </li>
  );
}

function Field({ label, testId, children }: { label: string; testId: string; children: string }) {
  return (
    <div class="example-field">
      <span class="example-label">{label}</span>
      <p class="example-text" data-testid={testId}>
        {children}
      </p>
    </div>
  );
}

function Source({ example }: { example: Example }) {
  if (example.origin === 'chat') {
    return (
      <span class="example-source example-origin" data-testid="example-source" data-origin="chat">
        {t('examples.origin.chat')}
      </span>
    );
  }
  if (!example.sourceUrl && !example.sourceTitle) return null;
  const title = example.sourceTitle || example.sourceUrl || t('examples.untitledSource');
  const href = safeHttpUrl(example.sourceUrl);
  return (
    <span class="example-source" data-testid="example-source">
      {href ? (
        <a href={href} target="_blank" rel="noopener noreferrer">
          {title}
        </a>
      ) : (
        title
      )}
    </span>
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
