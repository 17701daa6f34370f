// A small line chart of training and held-out loss by step, in plain SVG (no dependency). The
// picture is role="img" with a title; a text summary below says the same thing in words for
// screen readers and for anyone who prefers numbers.
import '../../i18n/train';
import { t } from '../../i18n';
import type { LossPoint } from '../../engine/protocol/types';

interface LossChartProps {
  points: readonly LossPoint[];
  width?: number;
  height?: number;
}

const PAD = { left: 44, right: 12, top: 10, bottom: 26 };

export interface Scale {
  x(step: number): number;
  y(loss: number): number;
  minLoss: number;
  maxLoss: number;
  maxStep: number;
}

/** Maps steps and losses to SVG coordinates (exported for tests). */
export function chartScale(points: readonly LossPoint[], width: number, height: number): Scale {
  const losses = points.flatMap((p) => (p.heldOutLoss === null ? [p.loss] : [p.loss, p.heldOutLoss])).filter(Number.isFinite);
  const minLoss = Math.min(...losses);
  const maxLoss = Math.max(...losses);
  const span = maxLoss - minLoss || 1;
  const maxStep = Math.max(1, ...points.map((p) => p.step));
  const innerW = width - PAD.left - PAD.right;
  const innerH = height - PAD.top - PAD.bottom;
  return {
    x: (step) => PAD.left + (step / maxStep) * innerW,
    y: (loss) => PAD.top + (1 - (loss - minLoss) / span) * innerH,
    minLoss,
    maxLoss,
    maxStep,
  };
}

function path(coords: [number, number][]): string {
  return coords.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
}

export function lossSummary(points: readonly LossPoint[]): string {
  if (points.length === 0) return t('chart.empty');
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const text = t('chart.summary', { first: first.loss.toFixed(3), firstStep: first.step, last: last.loss.toFixed(3), lastStep: last.step });
  return last.heldOutLoss === null ? text : `${text} ${t('chart.summaryHeldOut', { heldOut: last.heldOutLoss.toFixed(3) })}`;
}

export function LossChart({ points, width = 520, height = 200 }: LossChartProps) {
  const summary = lossSummary(points);
  if (points.length === 0) {
    return <p class="loss-chart-empty" data-testid="loss-chart-empty">{summary}</p>;
  }
  const scale = chartScale(points, width, height);
  const train = path(points.map((p) => [scale.x(p.step), scale.y(p.loss)]));
  const heldOutPoints = points.filter((p) => p.heldOutLoss !== null);
  const heldOut = path(heldOutPoints.map((p) => [scale.x(p.step), scale.y(p.heldOutLoss!)]));
  return (
    <figure class="loss-chart" data-testid="loss-chart" data-points={points.length}>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-labelledby="loss-chart-title" aria-describedby="loss-chart-summary">
        <title id="loss-chart-title">{t('chart.title')}</title>
        <line class="axis" x1={PAD.left} y1={height - PAD.bottom} x2={width - PAD.right} y2={height - PAD.bottom} />
        <line class="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={height - PAD.bottom} />
        <text class="tick" x={PAD.left - 4} y={scale.y(scale.maxLoss) + 4} text-anchor="end">{scale.maxLoss.toFixed(2)}</text>
        <text class="tick" x={PAD.left - 4} y={scale.y(scale.minLoss)} text-anchor="end">{scale.minLoss.toFixed(2)}</text>
        <text class="tick" x={width - PAD.right} y={height - 8} text-anchor="end">{`${t('chart.step')} ${scale.maxStep}`}</text>
        <path class="line-train" d={train} data-testid="loss-chart-train" />
        {heldOutPoints.length > 0 && <path class="line-heldout" d={heldOut} data-testid="loss-chart-heldout" />}
      </svg>
      <figcaption>
        <span class="legend legend-train">{t('chart.train')}</span>
        {heldOutPoints.length > 0 && <span class="legend legend-heldout">{t('chart.heldOut')}</span>}
        <span id="loss-chart-summary" class="chart-summary" data-testid="loss-chart-summary">{summary}</span>
      </figcaption>
    </figure>
  );
}
