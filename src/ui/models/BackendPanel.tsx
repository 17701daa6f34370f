// The compute backend: what runs now (and on which GPU), the user's override, a correctness
// check, and — when the active model is too big for this GPU — the offer to fall back to WASM.
import { useEffect, useState } from 'preact/hooks';
import type { MatmulCheck } from '../../backend/check';
import type { ModelTooLargeForGpuError } from '../../backend/errors';
import { BACKEND_OVERRIDES, type ActiveBackend, type BackendOverride } from '../../backend/types';
import { t } from '../../i18n';
import { describeError } from '../describe-error';
import { backendLabel } from './format';

type BackendState =
  { kind: 'starting' } | { kind: 'ready'; active: ActiveBackend } | { kind: 'failed'; message: string };

/** Starts (or restarts) tfjs on the chosen backend; tfjs is loaded only when this view opens. */
export function useBackend(override: BackendOverride): BackendState {
  const [state, setState] = useState<BackendState>({ kind: 'starting' });
  useEffect(() => {
    let current = true;
    setState({ kind: 'starting' });
    import('../../backend/init')
      .then(({ initBackend }) => initBackend({ override }))
      .then(
        (active) => current && setState({ kind: 'ready', active }),
        (error: unknown) => current && setState({ kind: 'failed', message: describeError(error) }),
      );
    return () => {
      current = false;
    };
  }, [override]);
  return state;
}

interface BackendPanelProps {
  state: BackendState;
  override: BackendOverride;
  onOverride: (override: BackendOverride) => void;
  tooLarge: ModelTooLargeForGpuError | null;
}

function adapterText(active: ActiveBackend): string | null {
  const adapter = active.adapter;
  if (!adapter) return active.glRenderer ?? null;
  const name =
    [adapter.vendor, adapter.architecture, adapter.device, adapter.description].filter(Boolean).join(' · ') ||
    'WebGPU';
  return adapter.isFallbackAdapter ? `${name} ${t('models.backend.softwareAdapter')}` : name;
}

export function BackendPanel({ state, override, onOverride, tooLarge }: BackendPanelProps) {
  return (
    <fieldset class="models-backend" data-testid="models-backend">
      <legend>{t('models.backend.heading')}</legend>
      <BackendStatus state={state} />
      <label for="models-backend-override">{t('models.backend.override')}</label>{' '}
      <select
        id="models-backend-override"
        value={override}
        onChange={(e) => onOverride(e.currentTarget.value as BackendOverride)}
        data-testid="models-backend-override"
      >
        {BACKEND_OVERRIDES.map((option) => (
          <option key={option} value={option}>
            {option === 'auto' ? t('models.backend.auto') : backendLabel(option)}
          </option>
        ))}
      </select>{' '}
      {state.kind === 'ready' && <MatmulCheckButton key={state.active.name} />}
      {tooLarge && (
        <div role="alert" class="models-gpu-fallback" data-testid="models-gpu-fallback">
          <p>{t('models.gpu.tooLarge', { detail: describeError(tooLarge) })}</p>
          <button
            type="button"
            onClick={() => onOverride(tooLarge.fallback)}
            data-testid="models-gpu-use-wasm"
          >
            {t('models.gpu.useWasm')}
          </button>
        </div>
      )}
    </fieldset>
  );
}

function BackendStatus({ state }: { state: BackendState }) {
  if (state.kind === 'starting') return <p aria-live="polite">{t('models.backend.starting')}</p>;
  if (state.kind === 'failed')
    return <p role="alert">{t('models.backend.failed', { reason: state.message })}</p>;
  const adapter = adapterText(state.active);
  return (
    <div aria-live="polite">
      <p data-testid="models-backend-active" data-backend={state.active.name} data-threads={state.active.threads ?? ''}>
        {t('models.backend.active', { name: backendLabel(state.active.name) })}
        {(state.active.threads ?? 1) > 1 && ` · ${t('models.backend.threads', { count: state.active.threads ?? 1 })}`}
      </p>
      {adapter && <p data-testid="models-backend-adapter">{t('models.backend.adapter', { adapter })}</p>}
      {state.active.skipped.map((skip) => (
        <p key={skip.name} class="hint" data-testid="models-backend-skipped">
          {skip.code === 'software-gpu'
            ? t('models.backend.softwareGpu', { name: backendLabel(skip.name) })
            : t('models.backend.skipped', { name: backendLabel(skip.name), reason: skip.reason })}
        </p>
      ))}
    </div>
  );
}

function MatmulCheckButton() {
  const [result, setResult] = useState<MatmulCheck | null>(null);
  const [busy, setBusy] = useState(false);
  async function run() {
    setBusy(true);
    try {
      const { checkMatmul } = await import('../../backend/check');
      setResult(await checkMatmul());
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" onClick={run} disabled={busy} data-testid="models-backend-check">
        {t('models.backend.check')}
      </button>
      {result && (
        <p
          role="status"
          data-testid="models-backend-check-result"
          data-matches={String(result.matches)}
          data-max-diff={String(result.maxAbsDiff)}
          data-backend={result.backend}
        >
          {t(result.matches ? 'models.backend.checkOk' : 'models.backend.checkFailed', {
            name: result.backend,
            diff: result.maxAbsDiff.toExponential(1),
          })}
        </p>
      )}
    </>
  );
}
