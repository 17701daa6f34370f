// "Export GGUF…": a button that opens a dialog to choose the weight type (and, for a LoRA adapter,
// merged into its model or alone), asks the engine for the file (model.export) with its
// progress on screen, and downloads it. Used by the Models and Adapters views.
import { useState } from 'preact/hooks';
import type { EngineClient } from '../../engine/client/engine-client';
import { base64ToBytes } from '../../engine/protocol/base64';
import type { ExportGgufPayload, ExportGgufProgress } from '../../engine/protocol/types';
import { t } from '../../i18n';
import { describeError } from '../describe-error';
import { Dialog } from './Dialog';
import { downloadBytes } from './download';

interface GgufExportProps {
  engine: EngineClient;
  /** Shown in the button's label and the dialog title. */
  name: string;
  modelId: string;
  adapterId: string | null;
  /** Whether the adapter can also be written alone (LoRA without DoRA). */
  adapterAlone: boolean;
  onDone(file: string): void;
}

export function GgufExport({ engine, name, modelId, adapterId, adapterAlone, onDone }: GgufExportProps) {
  const [open, setOpen] = useState(false);
  const [type, setType] = useState<ExportGgufPayload['type']>('f16');
  const [adapterOnly, setAdapterOnly] = useState(false);
  const [phase, setPhase] = useState<ExportGgufProgress['phase'] | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setError(null);
    setPhase('loading');
    try {
      const result = await engine.request(
        'model.export',
        { modelId, adapterId, adapterOnly: adapterId !== null && adapterOnly, type },
        { onProgress: (p) => setPhase(p.phase) },
      );
      downloadBytes(result.fileName, base64ToBytes(result.bytesBase64)!, 'application/octet-stream');
      setOpen(false);
      onDone(result.fileName);
    } catch (e) {
      setError(t('gguf.error', { message: describeError(e) }));
    } finally {
      setPhase(null);
    }
  }

  return (
    <>
      <button type="button" data-testid="gguf-export-open" aria-label={t('gguf.openNamed', { name })} onClick={() => setOpen(true)}>
        {t('gguf.open')}
      </button>
      {open && (
        <Dialog title={t('gguf.title', { name })} onClose={() => phase === null && setOpen(false)} testId="gguf-export-dialog">
          <p>{t('gguf.intro')}</p>
          <fieldset disabled={phase !== null}>
            <legend>{t('gguf.type')}</legend>
            {(['f16', 'q8_0'] as const).map((value) => (
              <label key={value}>
                <input type="radio" name="gguf-type" value={value} checked={type === value} onChange={() => setType(value)} data-testid={`gguf-type-${value}`} />{' '}
                {t(`gguf.type.${value}`)}
              </label>
            ))}
          </fieldset>
          {adapterId !== null && adapterAlone && (
            <fieldset disabled={phase !== null}>
              <legend>{t('gguf.what')}</legend>
              <label>
                <input type="radio" name="gguf-what" checked={!adapterOnly} onChange={() => setAdapterOnly(false)} data-testid="gguf-what-merged" /> {t('gguf.what.merged')}
              </label>
              <label>
                <input type="radio" name="gguf-what" checked={adapterOnly} onChange={() => setAdapterOnly(true)} data-testid="gguf-what-adapter" /> {t('gguf.what.adapter')}
              </label>
            </fieldset>
          )}
          <p role="status" aria-live="polite" data-testid="gguf-export-status">
            {phase && (
              <>
                <progress aria-label={t(`gguf.phase.${phase}`)} /> {t(`gguf.phase.${phase}`)}
              </>
            )}
          </p>
          {error && (
            <p role="alert" class="error" data-testid="gguf-export-error">
              {error}
            </p>
          )}
          <div class="dialog-actions">
            <button type="button" onClick={() => setOpen(false)} disabled={phase !== null} data-testid="gguf-export-cancel">
              {t('gguf.cancel')}
            </button>
            <button type="button" data-autofocus onClick={() => void run()} disabled={phase !== null} data-testid="gguf-export-run">
              {t('gguf.export')}
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
