// UI strings in English and Simplified Chinese. Each area keeps its own catalogue
// (src/i18n/<area>.ts exporting `{ en: {...}, zh_CN: {...} }`) and registers it here, so
// engineers never edit one shared file. Manifest strings alone live in public/_locales (Chrome
// reads them before any script runs). Works in extension pages, content scripts and the PWA.

export type Locale = 'en' | 'zh_CN';
export type Catalogue = Record<string, string>;
export interface AreaCatalogue {
  en: Catalogue;
  zh_CN: Partial<Catalogue>;
}

const catalogues: AreaCatalogue[] = [];
let locale: Locale = detectLocale();

export function registerCatalogue(catalogue: AreaCatalogue): void {
  catalogues.push(catalogue);
}

export function detectLocale(languages: readonly string[] = globalThis.navigator?.languages ?? []): Locale {
  return languages.some((lang) => lang.toLowerCase().startsWith('zh')) ? 'zh_CN' : 'en';
}

export function setLocale(next: Locale): void {
  locale = next;
}

export function getLocale(): Locale {
  return locale;
}

/** Looks a key up in the active locale, falling back to English, then to the key itself. */
export function t(key: string, substitutions: Record<string, string | number> = {}): string {
  let text: string | undefined;
  for (const catalogue of catalogues) {
    text = catalogue[locale][key] ?? text;
  }
  if (text === undefined) {
    for (const catalogue of catalogues) text = catalogue.en[key] ?? text;
  }
  return fillPlaceholders(text ?? key, substitutions);
}

/** Replaces each {name} with its value; unknown names stay as written. */
export function fillPlaceholders(template: string, substitutions: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in substitutions ? String(substitutions[name]) : whole));
}
