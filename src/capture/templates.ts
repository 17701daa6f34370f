// Instruction templates for the capture form. Built-in ones are translated at display time;
// a person's own templates come from storage (via the background) and are shown as written.

import { t } from '../i18n';
import '../i18n/capture';
import type { TemplateSummary } from '../messaging/protocol';

export type BuiltInTemplateId = 'summarise' | 'rewrite' | 'extract' | 'translate' | 'reply' | 'explain';

export const BUILT_IN_TEMPLATE_IDS: readonly BuiltInTemplateId[] = [
  'summarise',
  'rewrite',
  'extract',
  'translate',
  'reply',
  'explain',
];

/** Built-in template ids are prefixed so they can never collide with a stored template's id. */
const BUILT_IN_PREFIX = 'builtin:';

export function builtInTemplates(): TemplateSummary[] {
  return BUILT_IN_TEMPLATE_IDS.map((id) => ({
    id: `${BUILT_IN_PREFIX}${id}`,
    name: t(`capture.template.${id}.name`),
    instruction: t(`capture.template.${id}.instruction`),
  }));
}

export function isBuiltInTemplate(id: string): boolean {
  return id.startsWith(BUILT_IN_PREFIX);
}

/** Built-ins first, then the person's own, without repeating an identical instruction. */
export function mergeTemplates(userTemplates: readonly TemplateSummary[]): TemplateSummary[] {
  const all = builtInTemplates();
  const seen = new Set(all.map((template) => template.instruction));
  for (const template of userTemplates) {
    if (seen.has(template.instruction)) continue;
    seen.add(template.instruction);
    all.push(template);
  }
  return all;
}

/** The template shown first: the summarising one for 'output' captures. */
export function defaultTemplate(templates: readonly TemplateSummary[]): TemplateSummary | undefined {
  return templates[0];
}
