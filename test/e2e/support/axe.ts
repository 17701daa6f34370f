// Accessibility audit of a page as it is now, for the e2e tests: axe-core (Deque's rule engine,
// WCAG 2.0/2.1 A and AA plus best practices) and two checks of our own. See docs/testing.md.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.0/2.1 A and AA plus Deque's best practices: names, labels, ARIA, landmarks, contrast. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

export interface Finding {
  rule: string;
  help: string;
  nodes: string[];
}

/**
 * axe-core over the page as it is now, plus two checks of our own: ids are unique (axe only runs
 * duplicate-id-aria now; its duplicate-id rule is deprecated with WCAG 4.1.1) and every control has
 * a non-empty accessible name as Chromium's own accessibility tree computes it.
 */
export async function audit(page: Page, where: string): Promise<Finding[]> {
  // Injected through the DevTools protocol: extension pages' CSP blocks inline <script> tags.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    type AxeResult = {
      violations: { id: string; help: string; nodes: { target: unknown[]; html: string }[] }[];
    };
    const axe = (
      globalThis as unknown as { axe: { run(ctx: unknown, options: unknown): Promise<AxeResult> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      rule: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.html.slice(0, 160)}`),
    }));
  }, AXE_TAGS);
  const duplicates = await page.evaluate(() => {
    const seen = new Map<string, number>();
    for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `#${id} ×${n}`);
  });
  if (duplicates.length)
    violations.push({ rule: 'duplicate-id (own check)', help: 'ids must be unique', nodes: duplicates });
  const unnamed = await unnamedControls(page);
  if (unnamed.length)
    violations.push({
      rule: 'accessible-name (own check)',
      help: 'every control needs a name',
      nodes: unnamed,
    });
  return violations.map((v) => ({ ...v, rule: `${where}: ${v.rule}` }));
}

const CONTROLS = [
  'button',
  'checkbox',
  'combobox',
  'listbox',
  'radio',
  'searchbox',
  'slider',
  'spinbutton',
  'switch',
  'tab',
  'textbox',
  'link',
  'menuitem',
];

export interface AxControl {
  role: string;
  name: string;
  backendDOMNodeId?: number;
}

/**
 * The page's controls as Chromium's accessibility tree has them, with their computed names.
 * Unlike axe (page JavaScript), the tree includes closed shadow roots such as the capture form.
 */
export async function axControls(page: Page): Promise<AxControl[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: {
        ignored: boolean;
        role?: { value: string };
        name?: { value: string };
        backendDOMNodeId?: number;
      }[];
    };
    return nodes
      .filter((n) => !n.ignored && [...CONTROLS, 'dialog'].includes(n.role?.value ?? ''))
      .map((n) => ({
        role: n.role!.value,
        name: (n.name?.value ?? '').trim(),
        backendDOMNodeId: n.backendDOMNodeId,
      }));
  } finally {
    await cdp.detach();
  }
}

/** Controls whose accessible name (Chromium's own computation) is empty. */
export async function unnamedControls(page: Page): Promise<string[]> {
  return (await axControls(page))
    .filter((c) => c.name === '')
    .map((c) => `${c.role} (backend node ${c.backendDOMNodeId})`);
}
