/** The host part of a URL ('' for none or an unparsable value), used to group examples by site. */
export function hostOf(url: string): string {
  if (!url) return '';
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return '';
  }
}
