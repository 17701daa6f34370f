// --data / --eval / --pool files for train and eval: instruction/output pairs from JSONL or a JSON
// array, all or nothing. The first bad line is named with its number and reason (one line on
// stderr), so a person can fix it; nothing is trained or evaluated on a partly bad file.
import { parseImport, UnreadableImportError, type ImportIssue, type ParsedImport } from '../dataset/jsonl';
import { TrainingDataError } from '../tuning/errors';
import type { TrainingExample } from '../tuning/train/data';
import { readDatasetFile } from './read-dataset-file';

export function readExamples(path: string): TrainingExample[] {
  const parsed = parse(path, readDatasetFile(path));
  const first = parsed.bad[0];
  if (first) {
    const more = parsed.bad.length > 1 ? ` (${parsed.bad.length - 1} more bad line(s) after it)` : '';
    throw new TrainingDataError(
      `${path} line ${first.line}: ${describeIssue(first)}${more}. Fix or remove it, then run again.`,
    );
  }
  if (parsed.good.length === 0) {
    throw new TrainingDataError(
      `${path} holds no examples; add lines such as {"instruction": "...", "output": "..."}.`,
    );
  }
  return parsed.good.map(({ draft }) => ({
    instruction: draft.instruction,
    input: draft.input,
    output: draft.output,
  }));
}

function parse(path: string, text: string): ParsedImport {
  try {
    return parseImport(text);
  } catch (error) {
    if (!(error instanceof UnreadableImportError)) throw error;
    throw new TrainingDataError(
      `${path} is not a JSON array or JSON Lines file of examples (${error.detail}); fix it, then run again.`,
    );
  }
}

function describeIssue(issue: ImportIssue): string {
  if (issue.kind === 'invalid-json') return `not valid JSON (${issue.message})`;
  return issue.problems.map((p) => p.message.replace(/\.$/, '')).join('; ');
}
