// The end of a run: held-out loss before and after, where the result went (an adapter, or a new
// model in Models that can be opened and used for chat), and the base model's answer next to the
// tuned one for a few held-out instructions (with the answer the user wrote).
import '../../i18n/train';
import type { TrainSummary } from '../../engine/protocol/types';
import { t } from '../../i18n';
import { formatLoss } from './format';

export interface SavedModel {
  id: string;
  name: string;
}

interface TrainResultProps {
  summary: TrainSummary;
  /** The new model, for a method whose result is a whole model (full fine-tuning); else null. */
  savedModel: SavedModel | null;
  /** Makes the new model the one chat and training use. */
  onUseModel: (model: SavedModel) => void;
}

export function TrainResult({ summary, savedModel, onUseModel }: TrainResultProps) {
  const loss = (value: number | null) => (value === null ? t('train.result.none') : formatLoss(value));
  return (
    <section class="train-result" aria-labelledby="train-result-heading" data-testid="train-result">
      {/* Focusable from script: a run this page started hands keyboard focus here when it ends. */}
      <h2 id="train-result-heading" tabIndex={-1}>{t('train.result.heading')}</h2>
      <dl class="train-losses">
        <dt>{t('train.result.lossBefore')}</dt>
        <dd data-testid="train-loss-before">{loss(summary.heldOutLossBefore)}</dd>
        <dt>{t('train.result.lossAfter')}</dt>
        <dd data-testid="train-loss-after">{loss(summary.heldOutLossAfter)}</dd>
      </dl>
      {savedModel ? (
        <div class="train-saved-model" data-testid="train-saved-model">
          <p>{t('train.result.savedModel', { name: savedModel.name })}</p>
          {/* The dashboard follows the hash: this opens the Models view, where the model is listed. */}
          <a href="#models" data-testid="train-open-models">{t('train.result.openModels')}</a>{' '}
          <button type="button" data-testid="train-use-model" onClick={() => onUseModel(savedModel)}>
            {t('train.result.useModel')}
          </button>
        </div>
      ) : (
        <p>{t('train.result.saved')}</p>
      )}
      {summary.samples.length > 0 && (
        <>
          <h3>{t('train.compare.heading')}</h3>
          <table class="train-compare" data-testid="train-compare">
            <thead>
              <tr>
                <th scope="col">{t('train.compare.instruction')}</th>
                <th scope="col">{t('train.compare.base')}</th>
                <th scope="col">{t('train.compare.tuned')}</th>
                <th scope="col">{t('train.compare.expected')}</th>
              </tr>
            </thead>
            <tbody>
              {summary.samples.map((sample, i) => (
                <tr key={i} data-testid="train-compare-row">
                  <th scope="row">{sample.instruction}</th>
                  <td data-testid="train-compare-base">{sample.base}</td>
                  <td data-testid="train-compare-tuned">{sample.tuned}</td>
                  <td>{sample.expected}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
