// The Models view of the dashboard: compute backend, the models on this device, adding models.
import '../../i18n/models';
import './models.css';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ModelTooLargeForGpuError } from '../../backend/errors';
import { errorCode } from '../../errors/attune-error';
import { assertModelFitsBackend } from '../../backend/limits';
import type { BackendOverride } from '../../backend/types';
import { t } from '../../i18n';
import { createBrowserModelStore } from '../../model-store/browser-model-store';
import type { ModelSummary } from '../../model-store/model-store';
import { ensurePersistentStorage } from '../../storage/persistence';
import { useDashboard } from '../dashboard/context';
import { formatBytes } from '../dashboard/format';
import { BackendPanel, useBackend } from './BackendPanel';
import { describeError } from '../describe-error';
import { ImportPanel } from './ImportPanel';
import { ModelList } from './ModelList';

export function ModelsView() {
  const { db, engine, settings, saveSettings, showToast } = useDashboard();
  const store = useMemo(() => createBrowserModelStore(db), [db]);
  const [models, setModels] = useState<ModelSummary[] | null>(null);
  const backend = useBackend(settings.backend);
  const [tooLarge, setTooLarge] = useState<ModelTooLargeForGpuError | null>(null);

  const refresh = () =>
    store
      .list()
      .then(setModels, (error: unknown) => showToast({ kind: 'error', message: describeError(error) }));

  useEffect(() => {
    void store.removeOrphanFiles().catch(() => undefined); // leftovers of an interrupted import
    void refresh();
  }, [store]);

  // Does the active model fit the active GPU? Re-checked when either changes.
  const activeId = models?.find((m) => m.active)?.id ?? null;
  useEffect(() => {
    setTooLarge(null);
    if (backend.kind !== 'ready' || backend.active.name !== 'webgpu' || !activeId) return;
    const active = backend.active;
    store
      .largestTensor(activeId)
      .then((largest) => assertModelFitsBackend(active, largest))
      .catch((error: unknown) => errorCode(error) === 'model-too-large-for-gpu' && setTooLarge(error as ModelTooLargeForGpuError));
  }, [backend, activeId, store]);

  async function act(work: () => Promise<void>, success: string) {
    try {
      await work();
      showToast({ message: success });
    } catch (error) {
      showToast({ kind: 'error', message: describeError(error) });
    }
    await refresh();
  }

  return (
    <section class="view" aria-labelledby="models-heading" data-testid="models-view">
      <h1 id="models-heading">{t('models.heading')}</h1>
      <BackendPanel
        state={backend}
        override={settings.backend}
        onOverride={(override: BackendOverride) => void saveSettings({ backend: override })}
        tooLarge={tooLarge}
      />
      <h2>{t('models.list.heading')}</h2>
      {models && (
        <ModelList
          models={models}
          engine={engine}
          onExported={(file) => showToast({ message: t('gguf.done', { file }) })}
          onSetActive={(model) =>
            void act(() => store.setActive(model.id), t('models.activated', { name: model.name }))
          }
          onRemove={(model) =>
            void act(() => store.remove(model.id), t('models.removed', { name: model.name }))
          }
        />
      )}
      <ImportPanel
        store={store}
        onImported={(model) => {
          showToast({
            message: t('models.import.done', { name: model.name, size: formatBytes(model.sizeBytes) }),
          });
          // A downloaded model is worth keeping: ask the browser not to evict it under disk pressure.
          void ensurePersistentStorage();
          void refresh();
        }}
      />
    </section>
  );
}
