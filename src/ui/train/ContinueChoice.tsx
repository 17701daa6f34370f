// The Train view's choice between starting a new adapter and continuing one that exists for the
// active model and the picked method ("Continue Notes (v3 → v4)"), with what a continuation would
// train on: how many new examples and how many replayed from earlier versions.
import '../../i18n/versions';
import { useEffect, useState } from 'preact/hooks';
import type { ContinuationSummary } from '../../engine/protocol/types';
import { t } from '../../i18n';
import type { AttuneDb } from '../../storage/db';
import { listAdapters } from '../../storage/adapters-repo';
import { currentVersion } from '../../storage/adapter-versions-repo';
import type { AdapterRecord } from '../../storage/schema';
import type { MethodSummary } from '../../tuning/types';

/**
 * Adapters of this model and method, newest first; reloaded when either changes or a run ends.
 * None when the method's saved adapters cannot be trained further (MethodSummary.continuable).
 */
export function useContinuable(db: AttuneDb, modelId: string | null, method: MethodSummary | null, reload: unknown): AdapterRecord[] {
  const [adapters, setAdapters] = useState<AdapterRecord[]>([]);
  useEffect(() => {
    if (!modelId || !method || !method.continuable) {
      setAdapters([]);
      return;
    }
    let current = true;
    listAdapters(db, modelId).then(
      (all) => current && setAdapters(all.filter((a) => a.method === method.name)),
      () => current && setAdapters([]),
    );
    return () => {
      current = false;
    };
  }, [db, modelId, method, reload]);
  return adapters;
}

interface Props {
  adapters: AdapterRecord[];
  /** The adapter to continue; '' starts a new one. */
  value: string;
  disabled: boolean;
  onChange(adapterId: string): void;
}

export function ContinueChoice({ adapters, value, disabled, onChange }: Props) {
  if (adapters.length === 0) return null;
  return (
    <fieldset class="continue-choice" data-testid="train-continue-choice" disabled={disabled}>
      <legend>{t('continue.legend')}</legend>
      <label>
        <input type="radio" name="train-continue" value="" data-testid="train-continue-new" checked={value === ''} onChange={() => onChange('')} /> {t('continue.new')}
      </label>
      {adapters.map((adapter) => {
        const from = currentVersion(adapter);
        return (
          <label key={adapter.id}>
            <input
              type="radio"
              name="train-continue"
              value={adapter.id}
              data-testid="train-continue-adapter"
              data-adapter-id={adapter.id}
              checked={value === adapter.id}
              onChange={() => onChange(adapter.id)}
            />{' '}
            {t('continue.existing', { name: adapter.name, from, to: from + 1 })}
          </label>
        );
      })}
      <p class="hint">{t('continue.hint')}</p>
    </fieldset>
  );
}

/** "3 new examples and 3 replayed from earlier versions; 0 held out to measure it." */
export function ContinuationPlanLine({ plan }: { plan: ContinuationSummary }) {
  return (
    <p data-testid="train-continuation-plan" data-new={plan.newCount} data-replayed={plan.replayCount} data-held-out={plan.heldOutCount} aria-live="polite">
      {t('continue.plan', { fresh: plan.newCount, replayed: plan.replayCount, heldOut: plan.heldOutCount })}
    </p>
  );
}

/** During a continued run: which adapter, which versions, and the mix of examples. */
export function ContinuationRunLine({ plan }: { plan: ContinuationSummary }) {
  return (
    <p data-testid="train-continuation" data-from={plan.fromVersion} data-to={plan.toVersion}>
      {t('continue.running', { name: plan.name, from: plan.fromVersion, to: plan.toVersion, fresh: plan.newCount, replayed: plan.replayCount })}
    </p>
  );
}
