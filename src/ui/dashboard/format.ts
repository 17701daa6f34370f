// Small formatting helpers for the dashboard, locale-aware through the active i18n locale.

import { getLocale, t } from '../../i18n';
import type { ExampleProblem } from '../../dataset/example';

function intlLocale(): string {
  return getLocale() === 'zh_CN' ? 'zh-CN' : 'en';
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

export function formatDate(ms: number): string {
  return new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/** A validation problem in the user's language. */
export function describeProblem(problem: ExampleProblem): string {
  return t(`problem.${problem.code}`, { field: problem.field, limit: problem.limit ?? '' });
}

/** Only web links are clickable; anything else (javascript:, data:) is shown as plain text. */
export function safeHttpUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
