// The user's own capture templates (an instruction to reuse, optionally tied to a URL pattern).

import { AttuneError } from '../errors/attune-error';
import type { AttuneDb } from './db';
import type { UserTemplateRecord } from './schema';
import { writeTransaction } from './transaction';

export const MAX_TEMPLATE_NAME_CHARS = 100;
export const MAX_TEMPLATE_INSTRUCTION_CHARS = 20_000;

export class InvalidTemplateError extends AttuneError {
  constructor(detail: string) {
    super('error.invalid-template', { detail });
  }
}

export interface TemplateDraft {
  name: string;
  instruction: string;
  urlPattern?: string;
}

export async function saveTemplate(
  db: AttuneDb,
  draft: TemplateDraft,
  now: number = Date.now(),
  id: string = crypto.randomUUID(),
): Promise<UserTemplateRecord> {
  const name = draft.name.trim();
  const instruction = draft.instruction.trim();
  if (!name || name.length > MAX_TEMPLATE_NAME_CHARS) {
    throw new InvalidTemplateError(`A template needs a name of 1–${MAX_TEMPLATE_NAME_CHARS} characters.`);
  }
  if (!instruction || instruction.length > MAX_TEMPLATE_INSTRUCTION_CHARS) {
    throw new InvalidTemplateError(
      `A template needs an instruction of 1–${MAX_TEMPLATE_INSTRUCTION_CHARS} characters.`,
    );
  }
  return writeTransaction(db, ['userTemplates'], async (tx) => {
    const existing = await tx.store.get(id);
    const record: UserTemplateRecord = {
      id,
      name,
      instruction,
      urlPattern: draft.urlPattern?.trim() ?? '',
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await tx.store.put(record);
    return record;
  });
}

/** Templates in name order. */
export async function listTemplates(db: AttuneDb): Promise<UserTemplateRecord[]> {
  return (await db.getAll('userTemplates')).sort((a, b) => a.name.localeCompare(b.name));
}

export async function deleteTemplate(db: AttuneDb, id: string): Promise<void> {
  await writeTransaction(db, ['userTemplates'], async (tx) => {
    await tx.store.delete(id);
  });
}
