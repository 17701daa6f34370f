import type { JSX } from 'preact';
import { t } from '../../i18n';
import '../../i18n/capture';

export interface ChipProps {
  x: number;
  y: number;
  onActivate(): void;
}

/** The small "Save example" button shown under a selection. */
export function Chip(props: ChipProps): JSX.Element {
  return (
    <button
      type="button"
      class="chip"
      style={{ left: `${props.x}px`, top: `${props.y}px` }}
      title={t('capture.chip.title')}
      // Keep the page's selection: a mousedown on a button would otherwise collapse it.
      onMouseDown={(event) => event.preventDefault()}
      onClick={props.onActivate}
      data-testid="capture-chip"
    >
      {t('capture.chip.label')}
    </button>
  );
}
