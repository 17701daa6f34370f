// @vitest-environment jsdom
// "Sites & tags" as a person uses it: add patterns and tags with the keyboard, see a bad pattern
// refused with its one-line reason (nothing saved), remove an entry by its labelled button.
import '../../storage/helpers';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { expect, test, vi } from 'vitest';
import { setLocale } from '../../../../src/i18n';
import { getAdapter, saveAdapter } from '../../../../src/storage/adapters-repo';
import type { AdapterRecord } from '../../../../src/storage/schema';
import { BindingsDialog } from '../../../../src/ui/adapters/BindingsDialog';
import { freshDb } from '../../storage/helpers';
import { mountPoint } from '../mount-point';

let container: HTMLElement;
mountPoint((element) => (container = element));

const record: AdapterRecord = { id: 'a1', name: 'work notes', method: 'lora', modelId: 'm', config: {}, weights: new ArrayBuffer(0), createdAt: 0, updatedAt: 0 };
const byTestId = <T extends HTMLElement>(id: string) => container.querySelector<T>(`[data-testid="${id}"]`);
const all = (id: string) => [...container.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

async function type(field: 'sites' | 'tags', text: string) {
  const input = byTestId<HTMLInputElement>(`bindings-${field}-input`)!;
  await act(() => {
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  // Enter in the field submits its form; the repository write is async (fake IndexedDB): the
  // field empties when it is saved, an error appears when it is refused.
  await act(() => input.form!.requestSubmit());
}

/** Waits for the fake IndexedDB write to land, then lets Preact render what it changed. */
async function settled(check: () => Promise<void>) {
  await vi.waitFor(check);
  await act(async () => undefined);
}

test('adds, refuses and removes site patterns and tags; every control is labelled', async () => {
  setLocale('en');
  const db = await freshDb();
  await saveAdapter(db, record);
  let changes = 0;
  await act(() => render(<BindingsDialog db={db} record={record} onClose={() => undefined} onChanged={() => changes++} />, container));
  expect(byTestId('bindings-sites-empty')).not.toBeNull();
  // Labels: each field by its <label>, each remove button by its entry.
  expect(container.querySelector('label[for="bindings-sites-input"]')!.textContent).toBe('Add a site pattern');
  expect(container.querySelector('label[for="bindings-tags-input"]')!.textContent).toBe('Add a tag');

  await type('sites', '*.Example.com, docs.python.org');
  await settled(async () => expect((await getAdapter(db, 'a1'))!.sites).toHaveLength(2));
  expect(all('bindings-sites-entry').map((e) => e.querySelector('code')!.textContent)).toEqual(['*.example.com', 'docs.python.org']);
  expect((await getAdapter(db, 'a1'))!.sites).toEqual(['*.example.com', 'docs.python.org']);

  await type('sites', 'ftp://files.example.com');
  await vi.waitFor(async () => {
    await act(async () => undefined);
    expect(byTestId('bindings-sites-error')).not.toBeNull();
  });
  const error = byTestId('bindings-sites-error')!;
  expect(error.getAttribute('role')).toBe('alert');
  expect(error.textContent).toBe('Site pattern "ftp://files.example.com": only http:// and https:// pages can be bound (or leave the scheme out for both).');
  expect(byTestId<HTMLInputElement>('bindings-sites-input')!.getAttribute('aria-invalid')).toBe('true');
  expect((await getAdapter(db, 'a1'))!.sites).toEqual(['*.example.com', 'docs.python.org']); // nothing saved

  await type('tags', 'Work');
  await settled(async () => expect((await getAdapter(db, 'a1'))!.tags).toEqual(['work']));
  expect((await getAdapter(db, 'a1'))!.tags).toEqual(['work']);

  const remove = all('bindings-sites-remove')[0]!;
  expect(remove.getAttribute('aria-label')).toBe('Remove *.example.com');
  await act(async () => {
    remove.click();
  });
  await settled(async () => expect((await getAdapter(db, 'a1'))!.sites).toHaveLength(1));
  expect(all('bindings-sites-entry')).toHaveLength(1);
  expect((await getAdapter(db, 'a1'))!.sites).toEqual(['docs.python.org']);
  expect(changes).toBe(3);
  db.close();
});
