// The models on this device: name, architecture, parameters, size, source, active badge, and the
// two actions (use, remove with confirmation).
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import type { EngineClient } from '../../engine/client/engine-client';
import type { ModelSummary } from '../../model-store/model-store';
import { GgufExport } from '../dashboard/GgufExport';
import { Dialog } from '../dashboard/Dialog';
import { formatBytes } from '../dashboard/format';
import { formatParameters } from './format';

interface ModelListProps {
  models: ModelSummary[];
  onSetActive: (model: ModelSummary) => void;
  onRemove: (model: ModelSummary) => void;
  /** Offers GGUF export (Llama and Qwen2 families) through this engine. */
  engine: EngineClient;
  onExported: (file: string) => void;
}

/** The families src/interop/gguf writes. */
const GGUF_TYPES = new Set(['llama', 'qwen2', 'mistral']);

function SourceCell({ model }: { model: ModelSummary }) {
  if (model.source === 'url')
    return (
      <span title={model.sourceUrl}>
        {t('models.source.url')}: {model.sourceUrl}
      </span>
    );
  if (model.trainedFrom)
    return <span data-testid="model-trained-from">{t('models.source.trained', { base: model.trainedFrom.baseModelName })}</span>;
  return <span>{t(`models.source.${model.source}`)}</span>;
}

export function ModelList({ models, onSetActive, onRemove, engine, onExported }: ModelListProps) {
  const [confirming, setConfirming] = useState<ModelSummary | null>(null);
  if (models.length === 0) return <p data-testid="models-empty">{t('models.list.empty')}</p>;
  return (
    <>
      <table class="models-table" data-testid="models-list">
        <thead>
          <tr>
            <th scope="col">{t('models.col.name')}</th>
            <th scope="col">{t('models.col.family')}</th>
            <th scope="col">{t('models.col.parameters')}</th>
            <th scope="col">{t('models.col.size')}</th>
            <th scope="col">{t('models.col.source')}</th>
            <th scope="col">{t('models.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {models.map((model) => (
            <tr
              key={model.id}
              data-testid="model-row"
              data-model-id={model.id}
              data-active={String(model.active)}
            >
              <th scope="row">
                <span data-testid="model-name">{model.name}</span>{' '}
                {model.active && (
                  <span class="badge" data-testid="model-active-badge">
                    {t('models.active')}
                  </span>
                )}
              </th>
              <td>{model.modelType}</td>
              <td data-testid="model-parameters">{formatParameters(model.parameterCount)}</td>
              <td data-testid="model-size" data-bytes={model.sizeBytes}>
                {formatBytes(model.sizeBytes)}
              </td>
              <td data-testid="model-source">
                <SourceCell model={model} />
              </td>
              <td>
                {!model.active && (
                  <button
                    type="button"
                    onClick={() => onSetActive(model)}
                    aria-label={t('models.setActiveNamed', { name: model.name })}
                    data-testid="model-set-active"
                  >
                    {t('models.setActive')}
                  </button>
                )}{' '}
                {GGUF_TYPES.has(model.modelType) && (
                  <GgufExport engine={engine} name={model.name} modelId={model.id} adapterId={null} adapterAlone={false} onDone={onExported} />
                )}{' '}
                {model.source !== 'bundled' && (
                  <button
                    type="button"
                    onClick={() => setConfirming(model)}
                    aria-label={t('models.removeNamed', { name: model.name })}
                    data-testid="model-remove"
                  >
                    {t('models.remove')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {confirming && (
        <Dialog
          title={t('models.removeTitle', { name: confirming.name })}
          onClose={() => setConfirming(null)}
          testId="models-remove-dialog"
        >
          <p>{t('models.removeBody', { size: formatBytes(confirming.sizeBytes) })}</p>
          <div class="dialog-actions">
            <button
              type="button"
              data-autofocus
              onClick={() => setConfirming(null)}
              data-testid="models-remove-cancel"
            >
              {t('models.removeCancel')}
            </button>
            <button
              type="button"
              class="danger"
              onClick={() => {
                onRemove(confirming);
                setConfirming(null);
              }}
              data-testid="models-remove-confirm"
            >
              {t('models.removeConfirm')}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
