// The import preview: how many examples a file holds and which lines are broken, and why.
// Nothing has been written when this shows; Confirm writes the good ones in one transaction.

import { t } from '../../../i18n';
import type { ImportIssue, ParsedImport } from '../../../dataset/jsonl';
import { Dialog } from '../Dialog';
import { describeProblem } from '../format';

/** Listing thousands of broken lines helps no one; the count says the rest. */
const MAX_LISTED_ISSUES = 50;

interface ImportPreviewProps {
  fileName: string;
  parsed: ParsedImport;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ImportPreview({ fileName, parsed, busy, onConfirm, onCancel }: ImportPreviewProps) {
  const listed = parsed.bad.slice(0, MAX_LISTED_ISSUES);
  const goodCount = parsed.good.length;
  return (
    <Dialog title={`${t('import.title')}: ${fileName}`} onClose={onCancel} testId="import-preview">
      <p data-testid="import-good-count" data-count={goodCount}>
        {goodCount > 0 ? t('import.ready', { count: goodCount }) : t('import.nothing')}
      </p>
      {parsed.bad.length > 0 && (
        <>
          <p data-testid="import-bad-count" data-count={parsed.bad.length}>
            {t('import.problems', { count: parsed.bad.length })}
          </p>
          <ul class="import-issues" data-testid="import-issues">
            {listed.map((issue) => (
              <li key={issue.line} data-testid="import-issue" data-line={issue.line}>
                {describeIssue(issue, parsed.format)}
              </li>
            ))}
          </ul>
          {parsed.bad.length > listed.length && (
            <p>{t('import.moreProblems', { count: parsed.bad.length - listed.length })}</p>
          )}
        </>
      )}
      <div class="dialog-actions">
        <button
          type="button"
          class="primary"
          onClick={onConfirm}
          disabled={busy || goodCount === 0}
          data-testid="import-confirm"
          data-autofocus
        >
          {t('import.confirm', { count: goodCount })}
        </button>
        <button type="button" onClick={onCancel} disabled={busy} data-testid="import-cancel">
          {t('import.cancel')}
        </button>
      </div>
    </Dialog>
  );
}

function describeIssue(issue: ImportIssue, format: ParsedImport['format']): string {
  const reason =
    issue.kind === 'invalid-json'
      ? t('import.invalidJson', { detail: issue.message })
      : issue.problems.map(describeProblem).join('; ');
  return t(format === 'jsonl' ? 'import.line' : 'import.item', { line: issue.line, reason });
}
