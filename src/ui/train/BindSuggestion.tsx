// After a run on a tag: "the examples tagged X came from these sites; bind the new adapter to
// them?" A suggestion only: nothing is bound until the person confirms (their hosts are added to
// the adapter's site patterns, src/binding/).
import '../../i18n/bindings';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { hostsOf } from '../../binding/choice';
import type { AttuneDb } from '../../storage/db';
import { bindingsOf, getAdapter, setAdapterBindings } from '../../storage/adapters-repo';
import { listExamples } from '../../storage/examples-repo';
import { describeError } from '../describe-error';

/** At most this many sites are offered at once (the most examples first). */
export const MAX_SUGGESTED_SITES = 5;

interface Offer {
  name: string;
  hosts: string[];
}

export function BindSuggestion({ db, adapterId, tag }: { db: AttuneDb; adapterId: string; tag: string }) {
  const [offer, setOffer] = useState<Offer | null>(null);
  const [outcome, setOutcome] = useState<{ kind: 'done' | 'error'; text: string } | null>(null);

  useEffect(() => {
    let current = true;
    void Promise.all([getAdapter(db, adapterId), listExamples(db, { tag })]).then(
      ([record, examples]) => {
        if (!current || !record) return;
        const bound = new Set(record.sites ?? []);
        const hosts = hostsOf(examples.map((e) => e.sourceUrl))
          .filter((host) => !bound.has(host))
          .slice(0, MAX_SUGGESTED_SITES);
        setOffer(hosts.length > 0 ? { name: record.name, hosts } : null);
      },
      () => undefined, // no offer is the quiet failure here; the run itself succeeded
    );
    return () => {
      current = false;
    };
  }, [db, adapterId, tag]);

  if (outcome) {
    return (
      <p class={outcome.kind === 'error' ? 'form-error' : 'hint'} role={outcome.kind === 'error' ? 'alert' : 'status'} data-testid="train-bind-outcome">
        {outcome.text}
      </p>
    );
  }
  if (!offer) return null;
  const hosts = offer.hosts.join(', ');

  async function bind(chosen: Offer) {
    try {
      const record = await getAdapter(db, adapterId);
      if (!record) throw new Error(t('adapters.gone', { name: chosen.name }));
      const existing = bindingsOf(record);
      await setAdapterBindings(db, adapterId, { ...existing, sites: [...existing.sites, ...chosen.hosts] });
      setOutcome({ kind: 'done', text: t('train.bind.done', { name: chosen.name, hosts }) });
    } catch (error) {
      setOutcome({ kind: 'error', text: describeError(error) });
    }
  }

  return (
    <section class="train-bind" aria-label={t('bindings.sites')} data-testid="train-bind-offer">
      <p>{t('train.bind.offer', { tag, hosts, name: offer.name })}</p>
      <div class="toolbar">
        <button type="button" class="primary" data-testid="train-bind-confirm" onClick={() => void bind(offer)}>
          {t('train.bind.confirm')}
        </button>
        <button type="button" data-testid="train-bind-dismiss" onClick={() => setOffer(null)}>
          {t('train.bind.dismiss')}
        </button>
      </div>
    </section>
  );
}
