// The Examples view: search and filter, edit, delete with undo, bulk delete, export and import.
// It holds the view state; the list, editor and import preview are separate components.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { t } from '../../../i18n';
import type { Example } from '../../../dataset/example';
import { examplesToJsonl, parseImport, type ParsedImport } from '../../../dataset/jsonl';
import { ENCODING_SNIFF_BYTES, encodingProblem } from '../../../dataset/text-encoding';
import {
  allExamplesOldestFirst,
  countExamples,
  deleteExamples,
  importExamples,
  listExamples,
  listSites,
  listTags,
  restoreExamples,
  type ExampleFilter,
  type Facet,
} from '../../../storage/examples-repo';
import { ensurePersistentStorage } from '../../../storage/persistence';
import { useDashboard } from '../context';
import { downloadText, exportFileName } from '../download';
import { ExampleEditor } from './ExampleEditor';
import { ExampleList } from './ExampleList';
import { ImportPreview } from './ImportPreview';
import { errorCode } from '../../../errors/attune-error';
import { describeError } from '../../describe-error';

/** Rows rendered at first and per "Show more": keeps big collections responsive. */
const PAGE_SIZE = 100;

type Editing = { mode: 'new' } | { mode: 'edit'; example: Example } | null;

export function ExamplesView() {
  const { db, showToast } = useDashboard();
  const [filter, setFilter] = useState<ExampleFilter>({ query: '', tag: '', site: '' });
  const [examples, setExamples] = useState<Example[]>([]);
  const [total, setTotal] = useState(0);
  const [tags, setTags] = useState<Facet[]>([]);
  const [sites, setSites] = useState<Facet[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [visible, setVisible] = useState(PAGE_SIZE);
  const [editing, setEditing] = useState<Editing>(null);
  const [pendingImport, setPendingImport] = useState<{ fileName: string; parsed: ParsedImport } | null>(null);
  const [busy, setBusy] = useState(false);
  const [revision, setRevision] = useState(0);
  const reload = () => setRevision((r) => r + 1);

  useEffect(() => {
    let current = true;
    void Promise.all([listExamples(db, filter), countExamples(db), listTags(db), listSites(db)]).then(
      ([rows, count, tagFacets, siteFacets]) => {
        if (!current) return; // a newer filter or reload already started
        setExamples(rows);
        setTotal(count);
        setTags(tagFacets);
        setSites(siteFacets);
        setSelected((old) => new Set(rows.filter((r) => old.has(r.id)).map((r) => r.id)));
      },
      (error: unknown) => report(error),
    );
    return () => {
      current = false;
    };
  }, [db, filter, revision]);

  const shown = useMemo(() => examples.slice(0, visible), [examples, visible]);
  const allShownSelected = shown.length > 0 && shown.every((e) => selected.has(e.id));

  function report(error: unknown) {
    showToast({ kind: 'error', message: describeError(error) });
  }

  function updateFilter(patch: Partial<ExampleFilter>) {
    setFilter({ ...filter, ...patch });
    setVisible(PAGE_SIZE);
  }

  function toggle(id: string) {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  }

  function toggleAllShown() {
    setSelected(allShownSelected ? new Set() : new Set(shown.map((e) => e.id)));
  }

  async function remove(ids: string[]) {
    try {
      const deleted = await deleteExamples(db, ids);
      reload();
      showToast({
        message: t('examples.deleted', { count: deleted.length }),
        onUndo: async () => {
          try {
            const restored = await restoreExamples(db, deleted);
            reload();
            showToast({ message: t('examples.restored', { count: restored }) });
          } catch (error) {
            report(error);
          }
        },
      });
    } catch (error) {
      report(error);
    }
  }

  async function exportAll() {
    try {
      const all = await allExamplesOldestFirst(db);
      if (all.length === 0) {
        showToast({ message: t('examples.exportEmpty') });
        return;
      }
      downloadText(exportFileName(), examplesToJsonl(all));
      showToast({ message: t('examples.exported', { count: all.length }) });
    } catch (error) {
      report(error);
    }
  }

  async function chooseFile(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = ''; // choosing the same file again must fire change again
    if (!file) return;
    try {
      const problem = encodingProblem(new Uint8Array(await file.slice(0, ENCODING_SNIFF_BYTES).arrayBuffer()));
      if (problem) {
        showToast({ kind: 'error', message: t(`import.encoding.${problem}`, { file: file.name }) });
        return;
      }
      setPendingImport({ fileName: file.name, parsed: parseImport(await file.text()) });
    } catch (error) {
      if (errorCode(error) === 'import-unreadable') showToast({ kind: 'error', message: t('import.unreadable') });
      else report(error);
    }
  }

  async function confirmImport() {
    if (!pendingImport) return;
    setBusy(true);
    try {
      const result = await importExamples(db, pendingImport.parsed.good);
      setPendingImport(null);
      reload();
      showToast({ message: t('import.done', { added: result.added, duplicates: result.duplicates }) });
      if (result.added > 0) void ensurePersistentStorage();
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="view" aria-labelledby="examples-heading">
      <h1 id="examples-heading">{t('examples.heading')}</h1>
      <div class="toolbar" role="search">
        <div class="form-field grow">
          <label for="examples-search">{t('examples.search')}</label>
          <input
            id="examples-search"
            type="search"
            placeholder={t('examples.searchPlaceholder')}
            value={filter.query}
            onInput={(e) => updateFilter({ query: e.currentTarget.value })}
            data-testid="examples-search"
          />
        </div>
        <FacetSelect
          id="examples-tag"
          label={t('examples.filterTag')}
          allLabel={t('examples.allTags')}
          facets={tags}
          value={filter.tag ?? ''}
          onChange={(tag) => updateFilter({ tag })}
        />
        <FacetSelect
          id="examples-site"
          label={t('examples.filterSite')}
          allLabel={t('examples.allSites')}
          facets={sites}
          value={filter.site ?? ''}
          onChange={(site) => updateFilter({ site })}
        />
      </div>

      <div class="toolbar actions">
        <button type="button" onClick={() => setEditing({ mode: 'new' })} data-testid="examples-add">
          {t('examples.add')}
        </button>
        <button type="button" onClick={exportAll} data-testid="examples-export">
          {t('examples.export')}
        </button>
        <label class="button file-button">
          {t('examples.import')}
          <input
            type="file"
            class="visually-hidden-file"
            accept=".jsonl,.json,.ndjson,application/json,application/x-ndjson,text/plain"
            onChange={chooseFile}
            data-testid="examples-import-file"
          />
        </label>
        <button
          type="button"
          class="danger"
          disabled={selected.size === 0}
          onClick={() => remove([...selected])}
          data-testid="examples-delete-selected"
        >
          {t('examples.deleteSelected', { count: selected.size })}
        </button>
      </div>

      <div class="list-header">
        <label>
          <input type="checkbox" checked={allShownSelected} onChange={toggleAllShown} data-testid="examples-select-all" />{' '}
          {t('examples.selectAll')}
        </label>
        <span data-testid="examples-count" data-total={total} data-matching={examples.length}>
          {t('examples.showing', { shown: shown.length, total })}
          {examples.length !== total && ` · ${t('examples.matching', { count: examples.length })}`}
        </span>
      </div>

      {examples.length === 0 ? (
        <p class="empty" data-testid="examples-empty">
          {total === 0 ? t('examples.empty') : t('examples.noMatch')}
        </p>
      ) : (
        <ExampleList
          examples={shown}
          selected={selected}
          onToggle={toggle}
          onEdit={(example) => setEditing({ mode: 'edit', example })}
          onDelete={(example) => remove([example.id])}
        />
      )}
      {examples.length > shown.length && (
        <button type="button" onClick={() => setVisible(visible + PAGE_SIZE)} data-testid="examples-show-more">
          {t('examples.showMore')}
        </button>
      )}

      {editing && (
        <ExampleEditor
          example={editing.mode === 'edit' ? editing.example : undefined}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
      {pendingImport && (
        <ImportPreview
          fileName={pendingImport.fileName}
          parsed={pendingImport.parsed}
          busy={busy}
          onConfirm={confirmImport}
          onCancel={() => setPendingImport(null)}
        />
      )}
    </section>
  );
}

interface FacetSelectProps {
  id: string;
  label: string;
  allLabel: string;
  facets: Facet[];
  value: string;
  onChange: (value: string) => void;
}

function FacetSelect({ id, label, allLabel, facets, value, onChange }: FacetSelectProps) {
  return (
    <div class="form-field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)} data-testid={id}>
        <option value="">{allLabel}</option>
        {facets.map((facet) => (
          <option key={facet.value} value={facet.value}>
            {t('examples.facet', { value: facet.value, count: facet.count })}
          </option>
        ))}
        {/* Keep a chosen value visible even after its last example was deleted. */}
        {value && !facets.some((f) => f.value === value) && <option value={value}>{value}</option>}
      </select>
    </div>
  );
}
