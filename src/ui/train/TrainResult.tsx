// The end of a run: held-out loss before and after, and the base model's answer next to the
// tuned one for a few held-out instructions (with the answer the user wrote).
import '../../i18n/train';
import type { TrainSummary } from '../../engine/protocol/types';
import { t } from '../../i18n';
import { formatLoss } from './format';

export function TrainResult({ summary }: { summary: TrainSummary }) {
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
      <p>{t('train.result.saved')}</p>
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
