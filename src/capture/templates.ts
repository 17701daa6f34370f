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
    urlPattern: '',
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

/**
 * True when `url` falls under `pattern`: a host (`news.example` matches exactly that host;
 * `*.news.example` also its subdomains), optionally followed by a path prefix
 * (`github.com/issues`). Case-insensitive; scheme, query and fragment are ignored.
 */
export function matchesUrlPattern(pattern: string, url: string): boolean {
  const wanted = pattern.trim().toLowerCase().replace(/^[a-z]+:\/\//, '');
  if (!wanted) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const slash = wanted.indexOf('/');
  const hostPattern = slash === -1 ? wanted : wanted.slice(0, slash);
  const pathPrefix = slash === -1 ? '' : wanted.slice(slash);
  const host = parsed.hostname.toLowerCase();
  const hostMatches = hostPattern.startsWith('*.')
    ? host === hostPattern.slice(2) || host.endsWith(hostPattern.slice(1))
    : host === hostPattern;
  return hostMatches && parsed.pathname.toLowerCase().startsWith(pathPrefix);
}

/**
 * The template to preselect on a page: the person's template whose pattern matches the URL most
 * specifically (longest pattern), else the first one (Summarise).
 */
export function templateForUrl(templates: readonly TemplateSummary[], url: string): TemplateSummary | undefined {
  const matching = templates
    .filter((template) => matchesUrlPattern(template.urlPattern, url))
    .sort((a, b) => b.urlPattern.length - a.urlPattern.length);
  return matching[0] ?? templates[0];
}
