// Display helpers for the Models view.
import { getLocale, t } from '../../i18n';
import type { BackendName } from '../../backend/types';

/** 124_439_808 -> "124.4 M" (en) / "1.2 亿" is not used: millions read fine in both locales. */
export function formatParameters(count: number | null): string {
  if (count === null) return t('models.unknown');
  const locale = getLocale() === 'zh_CN' ? 'zh-CN' : 'en';
  const format = (value: number, unit: string) =>
    `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value)} ${unit}`;
  if (count >= 1e9) return format(count / 1e9, 'B');
  if (count >= 1e6) return format(count / 1e6, 'M');
  if (count >= 1e3) return format(count / 1e3, 'K');
  return String(count);
}

export function backendLabel(name: BackendName): string {
  return t(`models.backend.${name}`);
}
