import { describe, expect, test } from 'vitest';
import { AttuneError } from '../../../src/errors/attune-error';
import {
  compareSpecificity,
  matchesSite,
  parseSitePattern,
  siteOf,
  specificity,
  SitePatternError,
} from '../../../src/binding/site-pattern';

const matches = (pattern: string, url: string) => matchesSite(parseSitePattern(pattern), siteOf(url)!);

describe('parsing', () => {
  test('normalises: lower case, punycode, default port and path dropped', () => {
    expect(parseSitePattern('  Docs.Python.ORG ').source).toBe('docs.python.org');
    expect(parseSitePattern('HTTPS://*.Example.com/').source).toBe('https://*.example.com');
    expect(parseSitePattern('https://example.com:443/*').source).toBe('https://example.com');
    expect(parseSitePattern('http://example.com:80').port).toBeNull();
    expect(parseSitePattern('example.com:08080').source).toBe('example.com:8080');
    expect(parseSitePattern('bücher.de').source).toBe('xn--bcher-kva.de');
    expect(parseSitePattern('*.例子.中国').host).toBe('xn--fsqu00a.xn--fiqs8s');
    expect(parseSitePattern('https://example.com/wiki/*')).toMatchObject({ path: '/wiki/', pathPrefix: true });
    expect(parseSitePattern('example.com/a b'.replace(' ', '%20'))).toMatchObject({ path: '/a%20b', pathPrefix: false });
    expect(parseSitePattern('[::1]:5173').source).toBe('[::1]:5173');
    expect(parseSitePattern('127.0.0.1').host).toBe('127.0.0.1');
  });

  const bad: [string, string][] = [
    ['', 'error.site-pattern.empty'],
    ['   ', 'error.site-pattern.empty'],
    ['x'.repeat(301), 'error.site-pattern.too-long'],
    ['example.com other.com', 'error.site-pattern.spaces'],
    ['ftp://example.com', 'error.site-pattern.scheme'],
    ['chrome://settings', 'error.site-pattern.scheme'],
    ['*', 'error.site-pattern.wildcard'],
    ['*.com', 'error.site-pattern.wildcard'],
    ['ex*ample.com', 'error.site-pattern.wildcard'],
    ['docs.*.com', 'error.site-pattern.wildcard'],
    ['*.127.0.0.1', 'error.site-pattern.wildcard'],
    ['example.com/*/x', 'error.site-pattern.wildcard'],
    ['example.com/wiki*', 'error.site-pattern.path'],
    ['example.com:0', 'error.site-pattern.port'],
    ['example.com:65536', 'error.site-pattern.port'],
    ['example.com:http', 'error.site-pattern.port'],
    ['example.com:', 'error.site-pattern.port'],
    ['user@example.com', 'error.site-pattern.host'],
    ['exa_mple.com', 'error.site-pattern.host'],
    ['-bad.example.com', 'error.site-pattern.host'],
    ['example..com', 'error.site-pattern.host'],
    ['example.com?q=1', 'error.site-pattern.query'],
    ['example.com/#top', 'error.site-pattern.query'],
  ];
  test.each(bad)('refuses %j with %s, one line naming the pattern', (pattern, key) => {
    let thrown: unknown;
    try {
      parseSitePattern(pattern);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SitePatternError);
    expect(thrown).toBeInstanceOf(AttuneError);
    expect((thrown as AttuneError).key).toBe(key);
    expect((thrown as Error).message).not.toContain('\n');
    if (pattern.trim() !== '') expect((thrown as Error).message).toContain(pattern.trim().slice(0, 20));
  });
});

describe('matching', () => {
  test('a host matches itself on any scheme, port and path, and no other host', () => {
    expect(matches('docs.python.org', 'https://docs.python.org/3/library/')).toBe(true);
    expect(matches('docs.python.org', 'http://docs.python.org:8000/')).toBe(true);
    expect(matches('docs.python.org', 'https://python.org/')).toBe(false);
    expect(matches('docs.python.org', 'https://evil-docs.python.org/')).toBe(false);
    expect(matches('python.org', 'https://docs.python.org/')).toBe(false);
  });

  test('*. matches the host itself and its subdomains, never a look-alike', () => {
    expect(matches('*.example.com', 'https://example.com/')).toBe(true);
    expect(matches('*.example.com', 'https://a.b.example.com/x')).toBe(true);
    expect(matches('*.example.com', 'https://notexample.com/')).toBe(false);
    expect(matches('*.example.com', 'https://example.com.evil.org/')).toBe(false);
  });

  test('scheme and port, when given, must agree (a default port counts as that port)', () => {
    expect(matches('https://example.com', 'http://example.com/')).toBe(false);
    expect(matches('http://example.com', 'http://example.com/')).toBe(true);
    expect(matches('example.com:8080', 'http://example.com:8080/')).toBe(true);
    expect(matches('example.com:8080', 'http://example.com/')).toBe(false);
    expect(matches('example.com:443', 'https://example.com/')).toBe(true);
    expect(matches('example.com:443', 'http://example.com/')).toBe(false);
    expect(matches('127.0.0.1', 'http://127.0.0.1:41234/page.html')).toBe(true);
    expect(matches('[::1]', 'http://[::1]:3000/')).toBe(true);
  });

  test('paths: a prefix with /*, else the exact path; query and fragment do not matter', () => {
    expect(matches('example.com/wiki/*', 'https://example.com/wiki/Fox?x=1#y')).toBe(true);
    expect(matches('example.com/wiki/*', 'https://example.com/wiki')).toBe(true);
    expect(matches('example.com/wiki/*', 'https://example.com/wikipedia')).toBe(false);
    expect(matches('example.com/about', 'https://example.com/about?lang=en')).toBe(true);
    expect(matches('example.com/about', 'https://example.com/about/team')).toBe(false);
  });

  test('an IDN page matches the pattern written in Unicode or in punycode', () => {
    expect(matches('bücher.de', 'https://xn--bcher-kva.de/')).toBe(true);
    expect(matches('xn--bcher-kva.de', 'https://bücher.de/katalog')).toBe(true);
  });

  test('only web pages have a site', () => {
    expect(siteOf('chrome://extensions')).toBeNull();
    expect(siteOf('file:///tmp/a.html')).toBeNull();
    expect(siteOf('not a url')).toBeNull();
  });
});

test('specificity: longer host, then exact over *., then longer path, exact path, port, scheme', () => {
  const order = [
    '*.example.com',
    'example.com', // exact beats *. of the same host
    'example.com/wiki/*',
    'example.com/wiki/page', // exact path of a longer length
    'example.com:443/wiki/page',
    'https://example.com:8443/wiki/page',
    '*.docs.example.com', // one more label beats everything on a shorter host
    'docs.example.com',
  ];
  const ranks = order.map((p) => specificity(parseSitePattern(p)));
  for (let i = 1; i < ranks.length; i++) {
    expect(compareSpecificity(ranks[i]!, ranks[i - 1]!), `${order[i]} over ${order[i - 1]}`).toBeGreaterThan(0);
  }
  expect(compareSpecificity(specificity(parseSitePattern('a.com')), specificity(parseSitePattern('b.com')))).toBe(0);
});
