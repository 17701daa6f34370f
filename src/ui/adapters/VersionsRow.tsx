// An adapter's versions, under its row in the Adapters view: each version's date, how it came to
// be (trained, continued, restored), its examples (new / replayed) and held-out loss before → after
// (exact match where measured), with Restore on every version but the current one.
import '../../i18n/versions';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n';
import type { AttuneDb } from '../../storage/db';
import { currentVersion, listAdapterVersions } from '../../storage/adapter-versions-repo';
import type { AdapterRecord, AdapterVersionRecord } from '../../storage/schema';
import { formatDate } from '../dashboard/format';
import { formatLoss } from '../train/format';

interface Props {
  db: AttuneDb;
  record: AdapterRecord;
  /** Columns of the adapters table, so the versions span it. */
  columns: number;
  onRestore(version: number): Promise<void>;
}

export function VersionsRow({ db, record, columns, onRestore }: Props) {
  const [open, setOpen] = useState(false);
  const [versions, setVersions] = useState<AdapterVersionRecord[] | null>(null);
  useEffect(() => {
    let current = true;
    listAdapterVersions(db, record.id).then((list) => current && setVersions(list), () => current && setVersions([]));
    return () => {
      current = false;
    };
  }, [db, record.id, record.updatedAt]);
  const panelId = `versions-${record.id}`;
  const now = currentVersion(record);
  return (
    <tr class="versions-row" data-testid="adapter-versions-row" data-adapter-id={record.id}>
      <td colSpan={columns}>
        <button type="button" data-testid="adapter-versions-toggle" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
          {open ? t('versions.hide') : t('versions.show', { count: versions?.length ?? 1 })}
        </button>
        {open && versions && (
          <table id={panelId} class="versions-table" data-testid="adapter-versions">
            <caption>{t('versions.caption', { name: record.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('versions.col.version')}</th>
                <th scope="col">{t('versions.col.date')}</th>
                <th scope="col">{t('versions.col.examples')}</th>
                <th scope="col">{t('versions.col.loss')}</th>
                <th scope="col">{t('versions.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id} data-testid="adapter-version" data-version={v.version} data-current={String(v.version === now)}>
                  <th scope="row">
                    v{v.version} <span class="hint">({originText(v)})</span>
                    {v.version === now && <span class="badge"> {t('versions.current')}</span>}
                  </th>
                  <td>{formatDate(v.createdAt)}</td>
                  <td data-testid="adapter-version-examples" data-new={v.newExamples} data-replayed={v.replayedExamples}>
                    {v.newExamples + v.replayedExamples > 0 ? t('versions.examples', { fresh: v.newExamples, replayed: v.replayedExamples }) : t('versions.examples.unknown')}
                  </td>
                  <td data-testid="adapter-version-loss">{figures(v)}</td>
                  <td>
                    {v.version !== now && (
                      <button type="button" data-testid="adapter-version-restore" aria-label={t('versions.restore.label', { version: v.version, name: record.name })} onClick={() => void onRestore(v.version)}>
                        {t('versions.restore')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </td>
    </tr>
  );
}

function originText(v: AdapterVersionRecord): string {
  return v.origin === 'restored' ? t('versions.origin.restored', { from: v.restoredFrom ?? '?' }) : t(`versions.origin.${v.origin}`);
}

/**
 * "2.31 → 1.02" (held-out loss before → after), plus exact match when a run measured it; without a
 * held-out set (under 20 examples), the steps and last training loss; '—' when nothing was measured.
 */
function figures(v: AdapterVersionRecord): string {
  const { heldOutLossBefore: before, heldOutLossAfter: after, exactMatch: exact, lastTrainLoss, steps } = v.metrics ?? {};
  const trained = typeof lastTrainLoss === 'number' && typeof steps === 'number' ? t('versions.trainLoss', { steps, loss: formatLoss(lastTrainLoss) }) : '—';
  const loss = typeof after === 'number' ? `${typeof before === 'number' ? `${formatLoss(before)} → ` : ''}${formatLoss(after)}` : trained;
  return typeof exact === 'number' ? `${loss} · EM ${(exact * 100).toFixed(0)} %` : loss;
}
