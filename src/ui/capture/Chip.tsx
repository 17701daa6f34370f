import type { JSX } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { chipLeft, type ChipBounds } from '../../capture/selection';
import { t } from '../../i18n';
import '../../i18n/capture';

export interface ChipProps {
  x: number;
  y: number;
  /** The visible width of the page: the chip is moved left to stay inside it. */
  bounds: ChipBounds;
  onActivate(): void;
}

/** The small "Save example" button shown under a selection. */
export function Chip(props: ChipProps): JSX.Element {
  const button = useRef<HTMLButtonElement>(null);
  // The chip's width depends on its label (and language), so it is measured once rendered and
  // moved before the browser paints it.
  useLayoutEffect(() => {
    const element = button.current;
    if (element) element.style.left = `${chipLeft(props.x, element.offsetWidth, props.bounds)}px`;
  }, [props.x, props.bounds.left, props.bounds.right]);
  return (
    <button
      ref={button}
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
