// The Train view: choose the examples (all or a tag) and the method, optionally open "Advanced"
// to change hyperparameters (placeholders show what the engine would choose), press Train. The
// run lives in the offscreen engine, so this view only draws the state the engine streams:
// progress with ETA, the loss curve, pause/resume/cancel, and at the end the held-out loss
// before/after and base-vs-tuned answers. Reopening the dashboard re-attaches to a running run.
import '../../i18n/train';
import './train.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import { idleTrainState, isActivePhase, type EngineErrorInfo, type ExampleSelection, type MethodEstimate, type TrainDefaults, type TrainState } from '../../engine/protocol/types';
import type { EngineClient } from '../../engine/client/engine-client';
import { getLocale, t } from '../../i18n';
import { describeError } from '../describe-error';
import { countExamples, listTags, type Facet } from '../../storage/examples-repo';
import type { MethodName, MethodSummary } from '../../tuning/types';
import { LossChart } from '../charts/LossChart';
import { useDashboard } from '../dashboard/context';
import { AdvancedSettings, fieldLabel, overridesFrom, type AdvancedValues } from './AdvancedSettings';
import { useMethods } from './methods';
import { TrainResult, type SavedModel } from './TrainResult';
import { ContinuationPlanLine, ContinuationRunLine, ContinueChoice, useContinuable } from './ContinueChoice';
import { BindSuggestion } from './BindSuggestion';
import { formatCount, formatDuration, formatLoss } from './format';


function selectionFrom(value: string): ExampleSelection {
  return value === '' ? { kind: 'all' } : { kind: 'tag', tag: value };
}

function errorText(error: unknown): string {
  return describeError(error);
}

/** The run's memory plan: how the batch is split to fit the backend, and the estimated peak. */
function MemoryPlanLine({ defaults, error }: { defaults: TrainDefaults | null; error: string | null }) {
  if (error) {
    return (
      <p class="form-error" role="alert" data-testid="train-memory-plan" data-fits="false">
        {error}
      </p>
    );
  }
  const plan = defaults?.memory;
  if (!defaults || !plan) return null;
  const batch = defaults.settings.batchSize * defaults.settings.gradAccumSteps;
  const values = {
    batch,
    micro: plan.microBatch,
    steps: plan.accumulation,
    peak: formatGiB(plan.estimatedPeakBytes),
    budget: formatGiB(plan.budgetBytes),
    backend: plan.backend.toUpperCase(),
  };
  return (
    <p class="hint" data-testid="train-memory-plan" data-fits="true" data-micro-batch={plan.microBatch} data-accumulation={plan.accumulation}>
      {t(plan.accumulation > 1 ? 'train.memory.split' : 'train.memory.whole', values)}
      {plan.recompute ? ` ${t(plan.keepFrozenProducts ? 'train.memory.recomputeSelective' : 'train.memory.recompute')}` : ''}
    </p>
  );
}

function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/** A method's name in the picker, with what one click of it would train and cost. */
function methodOption(label: string, estimate: MethodEstimate | undefined): string {
  if (!estimate) return label;
  const params = formatCount(estimate.trainableParameters);
  return estimate.fits ? t('train.method.option', { label, params, time: formatDuration(estimate.seconds) }) : t('train.method.optionTooLarge', { label, params });
}

/**
 * The picked method before training: its one-line description, and what one click would train
 * and cost: parameters (its parameterCount on the active model), memory (the memory plan's peak)
 * and time (the run's training tokens at a measured or assumed speed, said which).
 */
function MethodDetails({ summary, estimate }: { summary: MethodSummary; estimate: MethodEstimate | undefined }) {
  const figures = (): string => {
    if (!estimate) return '';
    const params = formatCount(estimate.trainableParameters);
    if (!estimate.fits) return t('train.method.figures.tooLarge', { params, peak: formatGiB(estimate.estimatedPeakBytes ?? 0) });
    const values = {
      params,
      peak: estimate.estimatedPeakBytes === null ? '' : formatGiB(estimate.estimatedPeakBytes),
      time: formatDuration(estimate.seconds),
      tokens: estimate.tokens,
      speed: Math.round(estimate.tokensPerSecond),
      source: t(estimate.measuredSpeed ? 'train.method.speed.measured' : 'train.method.speed.assumed'),
    };
    return t(estimate.estimatedPeakBytes === null ? 'train.method.figures.noPlan' : 'train.method.figures', values);
  };
  return (
    <div class="hint" data-testid="train-method-details">
      <p data-testid="train-method-description">{summary.text[getLocale()].description}</p>
      {estimate && (
        <p
          data-testid="train-method-figures"
          data-parameters={estimate.trainableParameters}
          data-peak-bytes={estimate.estimatedPeakBytes ?? ''}
          data-seconds={Math.round(estimate.seconds)}
          data-measured={String(estimate.measuredSpeed)}
        >
          {figures()}
        </p>
      )}
    </div>
  );
}

/** Engine state, kept in sync: the current run's stream when one is active. */
function useTrainState(engine: EngineClient, onError: (message: string) => void) {
  const [state, setState] = useState<TrainState>(idleTrainState);
  const watching = useRef(false);
  const watch = () => {
    if (watching.current) return;
    watching.current = true;
    engine
      .request('train.watch', {}, { onProgress: setState })
      .then(setState, (error: unknown) => onError(errorText(error)))
      .finally(() => (watching.current = false));
  };
  useEffect(() => {
    engine
      .request('train.status', {})
      .then((current) => {
        setState(current);
        if (isActivePhase(current.phase)) watch();
      })
      .catch((error: unknown) => onError(t('train.engineError', { message: errorText(error) })));
  }, []);
  return { state, setState, watch };
}

export function TrainView() {
  const { db, engine, showToast, saveSettings } = useDashboard();
  const [tags, setTags] = useState<Facet[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [tag, setTag] = useState('');
  // The registry's first method until the person picks another.
  const [picked, setMethod] = useState<MethodName | null>(null);
  const [name, setName] = useState('');
  const [advanced, setAdvanced] = useState<AdvancedValues>({});
  const [defaults, setDefaults] = useState<TrainDefaults | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const showError = (message: string) => showToast({ kind: 'error', message });
  const methods = useMethods(engine, (error) => showError(t('train.error', { message: errorText(error) })));
  const method = picked ?? ((methods?.[0]?.name ?? null) as MethodName | null);
  const summary: MethodSummary | { fields: [] } = methods?.find((m) => m.name === method) ?? { fields: [] };
  const { state, setState, watch } = useTrainState(engine, showError);
  // The tag the run this page started trained on: its examples' sites are offered as bindings.
  const [runTag, setRunTag] = useState('');
  const followRun = useRunFocus(state);
  // Continue an adapter of the active model and this method, or start a new one ('').
  const [modelId, setModelId] = useState<string | null>(null);
  const [continueChoice, setContinueChoice] = useState('');

  useEffect(() => {
    void Promise.all([countExamples(db), listTags(db)]).then(([count, facets]) => {
      setTotal(count);
      setTags(facets);
    });
  }, [db]);

  const selectedCount = tag === '' ? total : (tags.find((f) => f.value === tag)?.count ?? 0);

  // The engine knows its model once it has loaded it, which answering train.defaults does.
  useEffect(() => {
    if (defaults) engine.request('engine.info', {}).then((info) => setModelId(info.modelId), () => undefined);
  }, [defaults !== null]);
  const continuable = useContinuable(db, modelId, methods?.find((m) => m.name === method) ?? null, state.adapterId);
  const continuing = continuable.some((a) => a.id === continueChoice) ? continueChoice : '';

  // What one click would use, with its memory plan, shown before Train is pressed; asked again
  // whenever the examples or the method change.
  const [planError, setPlanError] = useState<string | null>(null);
  useEffect(() => {
    if (!selectedCount || !method) return;
    let current = true;
    setPlanError(null);
    engine
      .request('train.defaults', { examples: selectionFrom(tag), method, ...(continuing ? { continueAdapterId: continuing } : {}) })
      .then(
        (next) => current && setDefaults(next),
        (error: unknown) => current && setPlanError(errorText(error)),
      );
    return () => {
      current = false;
    };
  }, [tag, method, selectedCount, continuing]);

  const active = isActivePhase(state.phase);

  /** A trained model becomes the active one; adapters belong to the old base, so none is chosen. */
  async function chooseModel(model: SavedModel) {
    try {
      await saveSettings({ activeModelId: model.id, activeAdapterId: null });
      showToast({ message: t('train.result.modelActive', { name: model.name }) });
    } catch (error) {
      showError(t('train.error', { message: errorText(error) }));
    }
  }

  async function start() {
    if (!method) return;
    setFormError(null);
    const built = overridesFrom(advanced, summary);
    if ('invalid' in built) {
      const multiple = summary.fields.some((f) => f.key === built.invalid && f.multiple);
      setFormError(t(multiple ? 'train.setting.invalidChoice' : 'train.setting.invalid', { field: fieldLabel(built.invalid, summary) }));
      return;
    }
    followRun();
    setRunTag(tag);
    try {
      const final = await engine.request(
        'train.start',
        continuing
          ? { examples: selectionFrom(tag), method, overrides: built.overrides, continueAdapterId: continuing }
          : { examples: selectionFrom(tag), method, overrides: built.overrides, methodConfig: built.methodConfig, ...(name.trim() ? { name: name.trim() } : {}) },
        { onProgress: setState },
      );
      setState(final);
    } catch (error) {
      showError(t('train.error', { message: errorText(error) }));
      // Another page may have started a run meanwhile: follow it.
      watch();
    }
  }

  async function control(kind: 'train.pause' | 'train.resume' | 'train.cancel') {
    followRun();
    try {
      setState(await engine.request(kind, {}));
    } catch (error) {
      showError(errorText(error));
    }
  }

  return (
    <section class="view train-view" aria-labelledby="train-heading" data-testid="train-view">
      <h1 id="train-heading">{t('train.heading')}</h1>
      <form
        class="train-form"
        onSubmit={(event) => {
          event.preventDefault();
          void start();
        }}
      >
        <div class="toolbar">
          <label class="form-field">
            {t('train.examples')}
            <select data-testid="train-examples" value={tag} disabled={active} onChange={(e) => { setTag(e.currentTarget.value); setDefaults(null); }}>
              <option value="">{t('train.examples.all')}</option>
              {tags.map((facet) => (
                <option key={facet.value} value={facet.value}>
                  {t('train.examples.tag', { tag: facet.value })} ({facet.count})
                </option>
              ))}
            </select>
          </label>
          <label class="form-field">
            {t('train.method')}
            <select data-testid="train-method" value={method ?? ''} disabled={active || !methods} onChange={(e) => { setMethod(e.currentTarget.value as MethodName); setDefaults(null); setAdvanced({}); }}>
              {(methods ?? []).map((m) => (
                <option key={m.name} value={m.name}>
                  {methodOption(m.text[getLocale()].label, defaults?.estimates.find((e) => e.method === m.name))}
                </option>
              ))}
            </select>
          </label>
          <label class="form-field grow">
            {t('train.name')}
            <input type="text" data-testid="train-name" value={name} placeholder={t('train.name.placeholder')} disabled={active || continuing !== ''} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
        </div>
        <p data-testid="train-example-count" data-count={selectedCount ?? ''} aria-live="polite">
          {selectedCount === 0 ? t('train.examples.none') : selectedCount === null ? '' : t('train.examples.count', { count: selectedCount })}
        </p>
        <ContinueChoice adapters={continuable} value={continuing} disabled={active} onChange={(id) => { setContinueChoice(id); setDefaults(null); }} />
        {continuing && defaults?.continuation && <ContinuationPlanLine plan={defaults.continuation} />}
        <MemoryPlanLine defaults={defaults} error={planError} />
        {'text' in summary && <MethodDetails summary={summary} estimate={defaults?.estimates.find((e) => e.method === method)} />}
        <AdvancedSettings method={summary} values={advanced} defaults={defaults} disabled={active} onChange={setAdvanced} />
        {formError && (
          <p class="form-error" role="alert" data-testid="train-form-error">
            {formError}
          </p>
        )}
        <div class="toolbar">
          <button type="submit" class="primary" data-testid="train-start" disabled={active || !selectedCount || !method}>
            {t('train.start')}
          </button>
          {/* Pause and Resume share one slot, so the button keeps keyboard focus as it turns. */}
          {state.phase === 'running' ? (
            <button type="button" data-testid="train-pause" onClick={() => void control('train.pause')}>
              {t('train.pause')}
            </button>
          ) : state.phase === 'paused' ? (
            <button type="button" data-testid="train-resume" onClick={() => void control('train.resume')}>
              {t('train.resume')}
            </button>
          ) : null}
          {active && (
            <button type="button" class="danger" data-testid="train-cancel" onClick={() => void control('train.cancel')}>
              {t('train.cancel')}
            </button>
          )}
        </div>
      </form>
      {state.phase !== 'idle' && <TrainProgressPanel state={state} />}
      {state.summary && <TrainResult summary={state.summary} savedModel={state.savedModel} onUseModel={(model) => void chooseModel(model)} />}
      {state.summary && state.phase === 'completed' && state.adapterId && runTag !== '' && (
        <BindSuggestion key={state.adapterId} db={db} adapterId={state.adapterId} tag={runTag} />
      )}
    </section>
  );
}

/**
 * Keyboard focus follows a run this page started or controlled. The Train button is disabled
 * while a run is active and Pause/Cancel vanish when it ends, which would drop focus to the page;
 * then the status line takes it (it is announced), and the result heading once the run is done.
 * Focus the user put anywhere else is left alone. Returns the function that starts following.
 */
function useRunFocus(state: TrainState): () => void {
  const following = useRef(false);
  useEffect(() => {
    if (!following.current) return;
    // Done once the run has ended and, for a completed run, its result has arrived.
    if (!isActivePhase(state.phase) && (state.summary || state.phase !== 'completed')) following.current = false;
    const focused = document.activeElement as HTMLElement | null;
    const statusLine = document.getElementById('train-status-line');
    const free = !focused || focused === document.body || (focused as HTMLButtonElement).disabled === true || statusLine?.contains(focused);
    if (!free) return;
    const target = state.summary ? document.getElementById('train-result-heading') : statusLine;
    target?.focus();
  }, [state.phase, state.summary]);
  return () => {
    following.current = true;
  };
}

/** A run's error, in the reader's language. */
function runErrorText(error: EngineErrorInfo): string {
  return describeError(error);
}

/** The warning while training goes on without new checkpoints; names the step it would continue from. */
function checkpointWarning(state: TrainState): string {
  return state.checkpointStep === null ? t('train.checkpointFull.none') : t('train.checkpointFull', { step: state.checkpointStep });
}

export function TrainProgressPanel({ state }: { state: TrainState }) {
  return (
    <div class="train-progress" data-testid="train-status" data-phase={state.phase} data-run-id={state.runId ?? ''} data-adapter-id={state.adapterId ?? ''}>
      <p id="train-status-line" role="status" aria-live="polite" tabIndex={-1}>
        <strong data-testid="train-phase">{t(`train.phase.${state.phase}`)}</strong>
        {state.totalSteps > 0 && <> · {t('train.progress', { step: state.step, total: state.totalSteps })}</>}
        {state.etaSeconds !== null && state.phase === 'running' && state.step > 0 && <> · {t('train.eta', { time: formatDuration(state.etaSeconds) })}</>}
      </p>
      <progress
        data-testid="train-progress"
        data-step={state.step}
        data-total={state.totalSteps}
        value={state.step}
        max={Math.max(1, state.totalSteps)}
        aria-label={t('train.progress', { step: state.step, total: state.totalSteps })}
      />
      <p class="train-figures">
        {state.loss !== null && <span data-testid="train-loss">{t('train.loss', { loss: formatLoss(state.loss) })}</span>}
        {state.heldOutLoss !== null && <span data-testid="train-heldout">{t('train.heldOut', { loss: formatLoss(state.heldOutLoss) })}</span>}
        {state.tokensPerSecond > 0 && <span>{t('train.speed', { speed: Math.round(state.tokensPerSecond) })}</span>}
        {state.trainCount > 0 && <span>{t('train.split', { train: state.trainCount, heldOut: state.heldOutCount })}</span>}
        {state.checkpointStep !== null && <span data-testid="train-checkpoint" data-step={state.checkpointStep}>{t('train.checkpoint', { step: state.checkpointStep })}</span>}
      </p>
      {state.continuation && <ContinuationRunLine plan={state.continuation} />}
      {state.resumedFromStep !== null && (
        <p data-testid="train-resumed" data-step={state.resumedFromStep}>
          {t('train.resumed', { step: state.resumedFromStep })}
        </p>
      )}
      {state.checkpointError && isActivePhase(state.phase) && (
        <p class="train-warning" role="status" data-testid="train-checkpoint-error" data-code={state.checkpointError.code}>
          {checkpointWarning(state)}
        </p>
      )}
      {state.error && (
        <p class="form-error" role="alert" data-testid="train-error" data-code={state.error.code}>
          {runErrorText(state.error)}
        </p>
      )}
      <LossChart points={state.curve} />
    </div>
  );
}
