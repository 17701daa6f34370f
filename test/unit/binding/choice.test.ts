import { expect, test } from 'vitest';
import { hostsOf, pickAdapterForPage, type BindableAdapter } from '../../../src/binding/choice';
import { validateBindings } from '../../../src/binding/bindings';

const adapter = (id: string, createdAt: number, sites: string[] = [], tags: string[] = []): BindableAdapter => ({
  id,
  name: id,
  createdAt,
  sites,
  tags,
});

test('the most specific matching pattern wins, across adapters', () => {
  const adapters = [
    adapter('broad', 3, ['*.example.com']),
    adapter('docs', 1, ['docs.example.com']),
    adapter('wiki', 2, ['https://docs.example.com/wiki/*']),
  ];
  expect(pickAdapterForPage(adapters, 'https://docs.example.com/wiki/Fox')).toEqual({
    adapterId: 'wiki',
    reason: { kind: 'site', pattern: 'https://docs.example.com/wiki/*' },
  });
  expect(pickAdapterForPage(adapters, 'https://docs.example.com/guide')?.adapterId).toBe('docs');
  expect(pickAdapterForPage(adapters, 'http://docs.example.com/wiki/Fox')?.adapterId).toBe('docs');
  expect(pickAdapterForPage(adapters, 'https://shop.example.com/')?.adapterId).toBe('broad');
  expect(pickAdapterForPage(adapters, 'https://other.org/')).toBeNull();
  expect(pickAdapterForPage(adapters, 'chrome://newtab')).toBeNull();
});

test('ties go to the newest adapter, then the smaller id, whatever the list order', () => {
  const a = adapter('a', 5, ['example.com']);
  const b = adapter('b', 9, ['example.com']);
  const c = adapter('c', 9, ['example.com']);
  for (const list of [[a, b, c], [c, b, a], [b, a, c]]) {
    expect(pickAdapterForPage(list, 'https://example.com/')?.adapterId).toBe('b');
  }
});

test('tags count only when no pattern matches: the tag most examples from this host carry', () => {
  const adapters = [adapter('notes', 1, [], ['work']), adapter('recipes', 2, [], ['food'])];
  const hostTags = new Map([
    ['work', 4],
    ['food', 1],
  ]);
  expect(pickAdapterForPage(adapters, 'https://intra.example:8080/x', hostTags)).toEqual({
    adapterId: 'notes',
    reason: { kind: 'tag', tag: 'work', host: 'intra.example:8080' },
  });
  const withSite = [...adapters, adapter('site', 0, ['intra.example'])];
  expect(pickAdapterForPage(withSite, 'https://intra.example:8080/x', hostTags)?.adapterId).toBe('site');
  expect(pickAdapterForPage(adapters, 'https://intra.example/x', new Map())).toBeNull();
});

test('an unreadable stored pattern binds nothing instead of failing the choice', () => {
  expect(pickAdapterForPage([adapter('x', 1, ['*'])], 'https://example.com/')).toBeNull();
});

test('hosts of examples, most examples first, web pages only', () => {
  expect(
    hostsOf(['https://b.org/1', 'https://a.org/x', 'https://b.org/2', '', 'chrome://x', 'http://a.org:8080/', 'https://c.org']),
  ).toEqual(['a.org', 'b.org', 'c.org']);
});

test('bindings are validated and normalised; bad ones fail with a catalogue key', () => {
  expect(validateBindings({ sites: ['Example.com', 'example.com', 'https://x.org/*'], tags: [' Work ', 'work', ''] })).toEqual({
    sites: ['example.com', 'https://x.org'],
    tags: ['work'],
  });
  expect(validateBindings({})).toEqual({ sites: [], tags: [] });
  expect(() => validateBindings({ sites: 'example.com' })).toThrow(/"sites" must be a list/);
  expect(() => validateBindings({ tags: [1] })).toThrow(/"tags" must be a list/);
  expect(() => validateBindings({ sites: Array.from({ length: 33 }, (_, i) => `s${i}.com`) })).toThrow(/at most 32/);
  expect(() => validateBindings({ tags: ['x'.repeat(65)] })).toThrow(/at most 64 characters/);
  expect(() => validateBindings({ sites: ['ok.com', 'ftp://no.com'] })).toThrow(/ftp:\/\/no\.com/);
});

test('the bindings strings exist in English and Simplified Chinese with the same placeholders', async () => {
  const { bindingsCatalogue } = await import('../../../src/i18n/bindings');
  const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  expect(Object.keys(bindingsCatalogue.zh_CN).sort()).toEqual(Object.keys(bindingsCatalogue.en).sort());
  for (const [key, text] of Object.entries(bindingsCatalogue.en)) {
    expect(names(bindingsCatalogue.zh_CN[key]!), key).toEqual(names(text));
    expect(bindingsCatalogue.zh_CN[key], key).not.toBe(text);
  }
});
