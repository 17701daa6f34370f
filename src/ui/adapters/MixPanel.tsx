// Mixing LoRA adapters: pick adapters and weights, a combination (SVD or linear, as PEFT's
// add_weighted_adapter) and a name; the engine checks them against the active model, mixes and
// stores the result as a new adapter.
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import type { EngineClient } from '../../engine/client/engine-client';
import { MIX_COMBINATION_NAMES, type AdapterMixPayload } from '../../engine/protocol/types';
import type { AdapterRecord } from '../../storage/schema';

interface Props {
  engine: EngineClient;
  /** The stored LoRA adapters (other methods cannot be mixed). */
  adapters: AdapterRecord[];
  onMixed(name: string): void;
  onError(error: unknown): void;
}

interface Choice {
  included: boolean;
  weight: string;
}

export function MixPanel({ engine, adapters, onMixed, onError }: Props) {
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [combination, setCombination] = useState<AdapterMixPayload['combination']>('svd');
  const [rank, setRank] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);

  const choiceOf = (id: string): Choice => choices[id] ?? { included: false, weight: '1' };
  const chosen = adapters.filter((a) => choiceOf(a.id).included);
  const weightsValid = chosen.every((a) => Number.isFinite(Number(choiceOf(a.id).weight)) && choiceOf(a.id).weight.trim() !== '');
  const rankValid = rank.trim() === '' || (Number.isInteger(Number(rank)) && Number(rank) >= 1);
  const defaultName = t('adapters.mix.default-name', { names: chosen.map((a) => a.name).join(' + ') });
  const finalName = (name.trim() || defaultName).slice(0, 200);
  const ready = chosen.length > 0 && weightsValid && rankValid && !busy;

  if (adapters.length === 0) return <p class="hint" data-testid="adapters-mix-none">{t('adapters.mix.none')}</p>;

  async function mix() {
    setBusy(true);
    try {
      const payload: AdapterMixPayload = {
        name: finalName,
        parts: chosen.map((a) => ({ adapterId: a.id, weight: Number(choiceOf(a.id).weight) })),
        combination,
        ...(combination === 'svd' && rank.trim() !== '' ? { rank: Number(rank) } : {}),
      };
      const result = await engine.request('adapter.mix', payload);
      setChoices({});
      setName('');
      onMixed(result.name);
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  }

  const update = (id: string, change: Partial<Choice>) => setChoices({ ...choices, [id]: { ...choiceOf(id), ...change } });

  return (
    <form
      class="mix-panel"
      data-testid="adapters-mix"
      aria-busy={busy}
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) void mix();
      }}
    >
      <p class="hint">{t('adapters.mix.hint')}</p>
      <fieldset>
        <legend>{t('adapters.mix.heading')}</legend>
        {adapters.map((a) => (
          <div class="toolbar" key={a.id} data-testid="adapters-mix-row">
            <label>
              <input type="checkbox" data-testid="adapters-mix-include" checked={choiceOf(a.id).included} onChange={(e) => update(a.id, { included: e.currentTarget.checked })} />{' '}
              {t('adapters.mix.include', { name: a.name })}
            </label>
            <label class="form-field">
              {t('adapters.mix.weight', { name: a.name })}
              <input
                type="number"
                step="any"
                data-testid="adapters-mix-weight"
                value={choiceOf(a.id).weight}
                disabled={!choiceOf(a.id).included}
                onInput={(e) => update(a.id, { weight: e.currentTarget.value })}
              />
            </label>
          </div>
        ))}
      </fieldset>
      <div class="toolbar">
        <label class="form-field">
          {t('adapters.mix.combination')}
          <select data-testid="adapters-mix-combination" value={combination} onChange={(e) => setCombination(e.currentTarget.value as AdapterMixPayload['combination'])}>
            {MIX_COMBINATION_NAMES.map((c) => (
              <option key={c} value={c}>
                {t(`adapters.mix.${c}`)}
              </option>
            ))}
          </select>
        </label>
        {combination === 'svd' && (
          <label class="form-field">
            {t('adapters.mix.rank')}
            <input type="number" min={1} step={1} data-testid="adapters-mix-rank" value={rank} aria-invalid={!rankValid} onInput={(e) => setRank(e.currentTarget.value)} />
          </label>
        )}
        <label class="form-field grow">
          {t('adapters.mix.name')}
          <input type="text" maxLength={200} data-testid="adapters-mix-name" value={name} placeholder={defaultName} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
      </div>
      <button type="submit" class="primary" data-testid="adapters-mix-run" disabled={!ready}>
        {busy ? t('adapters.mix.running') : t('adapters.mix.run')}
      </button>
    </form>
  );
}
