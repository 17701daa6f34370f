// The Adapters view: every stored adapter with its base model and held-out loss; rename, delete,
// choose the one chat uses, merge a LoRA into the model (faster replies) and unmerge, mix LoRA
// adapters with weights (MixPanel), export as a
// PEFT zip, import a PEFT zip (checked by the engine against the active model, refused with the
// reason when it was trained on another one). Under each adapter, its versions (VersionsRow), any
// of which can be restored.
import '../../i18n/train';
import '../train/train.css';
import { Fragment, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { bytesToBase64 } from '../../engine/protocol/base64';
import { peftFilesOf } from '../../tuning/peft/layout';
import { t } from '../../i18n';
import { deleteAdapter, getAdapter, listAdapters, saveAdapter } from '../../storage/adapters-repo';
import type { AdapterRecord } from '../../storage/schema';
import { zipAdapter } from '../../tuning/peft/zip';
import { useDashboard } from '../dashboard/context';
import { Dialog } from '../dashboard/Dialog';
import { GgufExport } from '../dashboard/GgufExport';
import { downloadBytes } from '../dashboard/download';
import { formatDate } from '../dashboard/format';
import { formatLoss } from '../train/format';
import { methodLabel, useMethods } from '../train/methods';
import type { MethodSummary } from '../../tuning/types';
import { describeError } from '../describe-error';
import { MixPanel } from './MixPanel';
import { BindingsDialog } from './BindingsDialog';
import '../../i18n/bindings';
import { restoreVersion } from './restore-version';
import { VersionsRow } from './VersionsRow';

function errorText(error: unknown): string {
  return describeError(error);
}

export function exportFileName(record: Pick<AdapterRecord, 'name'>): string {
  return `${record.name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || 'adapter'}-peft.zip`;
}

export function AdaptersView() {
  const { db, engine, settings, saveSettings, showToast } = useDashboard();
  // Labels only: without an answer the rows show the method's name.
  const methods = useMethods(engine, () => undefined);
  const [adapters, setAdapters] = useState<AdapterRecord[] | null>(null);
  const [merged, setMerged] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<AdapterRecord | null>(null);
  const [deleting, setDeleting] = useState<AdapterRecord | null>(null);
  const [binding, setBinding] = useState<AdapterRecord | null>(null);
  const [importError, setImportError] = useState<string | null>(null);

  const refresh = () => listAdapters(db).then(setAdapters, (error: unknown) => showToast({ kind: 'error', message: errorText(error) }));
  useEffect(() => {
    void refresh();
    engine
      .request('engine.info', {})
      .then((info) => setMerged(info.mergedAdapterId), () => undefined);
  }, [db]);

  async function act(work: () => Promise<string>) {
    try {
      showToast({ message: await work() });
    } catch (error) {
      showToast({ kind: 'error', message: t('adapters.error', { message: errorText(error) }) });
    }
    await refresh();
  }

  async function rename(record: AdapterRecord, name: string) {
    await act(async () => {
      const current = await getAdapter(db, record.id);
      if (!current) throw new Error(t('adapters.gone', { name: record.name }));
      await saveAdapter(db, { ...current, name, updatedAt: Date.now() });
      return t('adapters.renamed', { name });
    });
  }

  async function remove(record: AdapterRecord) {
    await act(async () => {
      if (merged === record.id) setMerged((await engine.request('adapter.unmerge', {})).mergedAdapterId);
      await deleteAdapter(db, record.id);
      if (settings.activeAdapterId === record.id) await saveSettings({ activeAdapterId: null });
      return t('adapters.deleted', { name: record.name });
    });
  }

  async function toggleActive(record: AdapterRecord) {
    const activate = settings.activeAdapterId !== record.id;
    await act(async () => {
      await saveSettings({ activeAdapterId: activate ? record.id : null });
      return activate ? t('adapters.activated', { name: record.name }) : t('adapters.deactivated');
    });
  }

  async function toggleMerge(record: AdapterRecord) {
    await act(async () => {
      const info = merged === record.id ? await engine.request('adapter.unmerge', {}) : await engine.request('adapter.merge', { adapterId: record.id });
      setMerged(info.mergedAdapterId);
      return info.mergedAdapterId === record.id ? t('adapters.merged') : t('adapters.unmerge');
    });
  }

  async function restore(record: AdapterRecord, version: number) {
    await act(async () => {
      // Merged weights hold the old version: unmerge first, as for a delete.
      if (merged === record.id) setMerged((await engine.request('adapter.unmerge', {})).mergedAdapterId);
      return restoreVersion(db, record, version);
    });
  }

  async function importZip(file: File) {
    setImportError(null);
    try {
      const zipBase64 = bytesToBase64(new Uint8Array(await file.arrayBuffer()));
      const { name } = await engine.request('adapter.import', { name: file.name.replace(/\.zip$/i, '').replace(/-peft$/, ''), zipBase64 });
      showToast({ message: t('adapters.imported', { name }) });
    } catch (error) {
      setImportError(errorText(error));
    }
    await refresh();
  }

  return (
    <section class="view adapters-view" aria-labelledby="adapters-heading" data-testid="adapters-view">
      <h1 id="adapters-heading">{t('adapters.heading')}</h1>
      {adapters?.length === 0 && <p data-testid="adapters-empty">{t('adapters.empty')}</p>}
      {adapters && adapters.length > 0 && (
        <table class="adapters-table" data-testid="adapters-list">
          <thead>
            <tr>
              <th scope="col">{t('adapters.col.name')}</th>
              <th scope="col">{t('adapters.col.method')}</th>
              <th scope="col">{t('adapters.col.model')}</th>
              <th scope="col">{t('adapters.col.created')}</th>
              <th scope="col">{t('adapters.col.metrics')}</th>
              <th scope="col">{t('adapters.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {adapters.map((record) => (
              <Fragment key={record.id}>
              <AdapterRow
                record={record}
                methods={methods}
                active={settings.activeAdapterId === record.id}
                merged={merged === record.id}
                onRename={() => setRenaming(record)}
                onDelete={() => setDeleting(record)}
                onBind={() => setBinding(record)}
                onToggleActive={() => void toggleActive(record)}
                onToggleMerge={() => void toggleMerge(record)}
                onExport={() => downloadBytes(exportFileName(record), zipAdapter(peftFilesOf(record)))}
                gguf={
                  methods?.find((m) => m.name === record.method)?.mergeable ? (
                    <GgufExport
                      engine={engine}
                      name={record.name}
                      modelId={record.modelId}
                      adapterId={record.id}
                      adapterAlone={record.config.peft_type === 'LORA' && record.config.use_dora !== true}
                      onDone={(file) => showToast({ message: t('gguf.done', { file }) })}
                    />
                  ) : null
                }
              />
              <VersionsRow db={db} record={record} columns={6} onRestore={(version) => restore(record, version)} />
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      {adapters && (
        <>
          <h2>{t('adapters.mix.heading')}</h2>
          <MixPanel
            engine={engine}
            // DoRA magnitudes cannot be mixed (PEFT's mix has none): only plain LoRA is offered.
            adapters={adapters.filter((a) => a.method === 'lora' && a.config.use_dora !== true)}
            onMixed={(name) => {
              showToast({ message: t('adapters.mixed', { name }) });
              void refresh();
            }}
            onError={(error) => showToast({ kind: 'error', message: t('adapters.error', { message: errorText(error) }) })}
          />
        </>
      )}
      <h2>{t('adapters.import')}</h2>
      <p class="hint">{t('adapters.import.hint')}</p>
      <label class="button file-button">
        {t('adapters.import')}
        <input
          type="file"
          accept=".zip,application/zip"
          class="visually-hidden-file"
          data-testid="adapters-import-file"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) void importZip(file);
          }}
        />
      </label>
      {importError && (
        <p class="form-error" role="alert" data-testid="adapters-import-error">
          {importError}
        </p>
      )}
      {renaming && (
        <RenameDialog
          record={renaming}
          onClose={() => setRenaming(null)}
          onSave={(name) => {
            setRenaming(null);
            void rename(renaming, name);
          }}
        />
      )}
      {binding && <BindingsDialog db={db} record={binding} onClose={() => setBinding(null)} onChanged={() => void refresh()} />}
      {deleting && (
        <Dialog title={t('adapters.delete.confirm', { name: deleting.name })} onClose={() => setDeleting(null)} testId="adapters-delete-dialog">
          <div class="toolbar">
            <button type="button" class="danger" data-testid="adapters-delete-confirm" onClick={() => { const record = deleting; setDeleting(null); void remove(record); }}>
              {t('adapters.delete.yes')}
            </button>
            <button type="button" data-autofocus onClick={() => setDeleting(null)}>
              {t('adapters.delete.no')}
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

interface RowProps {
  record: AdapterRecord;
  methods: MethodSummary[] | null;
  active: boolean;
  merged: boolean;
  onRename(): void;
  onDelete(): void;
  /** Opens the "Sites & tags" dialog (BindingsDialog). */
  onBind(): void;
  onToggleActive(): void;
  onToggleMerge(): void;
  onExport(): void;
  /** The GGUF export button, for adapters that fold into the weights. */
  gguf: ComponentChildren;
}

function AdapterRow({ record, methods, active, merged, onRename, onDelete, onBind, onToggleActive, onToggleMerge, onExport, gguf }: RowProps) {
  const after = record.metrics?.heldOutLossAfter;
  const before = record.metrics?.heldOutLossBefore;
  return (
    <tr data-testid="adapter-row" data-adapter-id={record.id}>
      <th scope="row">
        <span data-testid="adapter-name">{record.name}</span>
        {active && <span class="badge" data-testid="adapter-active-badge"> {t('adapters.active')}</span>}
        {merged && <span class="badge" data-testid="adapter-merged-badge"> {t('adapters.merged')}</span>}
        <BindingSummary record={record} />
      </th>
      <td>{methodLabel(methods, record.method)}</td>
      <td>{String(record.config.base_model_name_or_path ?? record.modelId)}</td>
      <td>{formatDate(record.createdAt)}</td>
      <td data-testid="adapter-loss">{typeof after === 'number' ? `${typeof before === 'number' ? `${formatLoss(before)} → ` : ''}${formatLoss(after)}` : '—'}</td>
      <td>
        <div class="toolbar">
          <button type="button" data-testid="adapter-set-active" aria-pressed={active} onClick={onToggleActive}>
            {active ? t('adapters.unsetActive') : t('adapters.setActive')}
          </button>
          {methods?.find((m) => m.name === record.method)?.mergeable && (
            <button type="button" data-testid="adapter-merge" aria-pressed={merged} onClick={onToggleMerge}>
              {merged ? t('adapters.unmerge') : t('adapters.merge')}
            </button>
          )}
          <button type="button" data-testid="adapter-export" onClick={onExport}>
            {t('adapters.export')}
          </button>
          {gguf}
          <button type="button" data-testid="adapter-bindings" aria-label={t('bindings.open.label', { name: record.name })} onClick={onBind}>
            {t('bindings.open')}
          </button>
          <button type="button" data-testid="adapter-rename" onClick={onRename}>
            {t('adapters.rename')}
          </button>
          <button type="button" class="danger" data-testid="adapter-delete" onClick={onDelete}>
            {t('adapters.delete')}
          </button>
        </div>
      </td>
    </tr>
  );
}

/** "Bound to *.example.com, #work" under the name, when the adapter has bindings. */
function BindingSummary({ record }: { record: AdapterRecord }) {
  const list = [...(record.sites ?? []), ...(record.tags ?? []).map((tag) => `#${tag}`)];
  if (list.length === 0) return null;
  return (
    <p class="hint" data-testid="adapter-bindings-summary">
      {t('bindings.summary', { list: list.join(', ') })}
    </p>
  );
}

function RenameDialog({ record, onClose, onSave }: { record: AdapterRecord; onClose(): void; onSave(name: string): void }) {
  const [name, setName] = useState(record.name);
  const valid = name.trim().length > 0 && name.trim().length <= 200;
  return (
    <Dialog title={t('adapters.rename')} onClose={onClose} testId="adapters-rename-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) onSave(name.trim());
        }}
      >
        <label class="form-field">
          {t('adapters.rename.label', { name: record.name })}
          <input type="text" data-autofocus data-testid="adapters-rename-input" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <div class="toolbar">
          <button type="submit" class="primary" data-testid="adapters-rename-save" disabled={!valid}>
            {t('adapters.rename.save')}
          </button>
          <button type="button" onClick={onClose}>
            {t('adapters.rename.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
