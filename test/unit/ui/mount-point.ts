// A fresh element in the document for each test to render a Preact view into, in English,
// unmounted and removed after the test (so effects and listeners of one test never reach the next).
import { render } from 'preact';
import { afterEach, beforeEach } from 'vitest';
import { setLocale } from '../../../src/i18n';

/** Registers the hooks; `use` receives each test's element. */
export function mountPoint(use: (element: HTMLElement) => void): void {
  let element: HTMLElement;
  beforeEach(() => {
    setLocale('en');
    element = document.createElement('div');
    document.body.append(element);
    use(element);
  });
  afterEach(() => {
    render(null, element);
    element.remove();
  });
}
