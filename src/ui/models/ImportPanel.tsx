// Adding a model: pick files or a whole folder, or type a URL and download it with a progress
// bar and a Cancel button. Errors stay on screen (role=alert) until the next attempt.
import { useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { describeError } from '../describe-error';
import { errorCode } from '../../errors/attune-error';
import { browserDownloadAccess, ensureDownloadAccess } from '../../model-store/host-permission';
import type { ModelStore, ModelSummary } from '../../model-store/model-store';
import { downloadProbeUrl } from '../../model-store/model-url';
import type { DownloadProgress } from '../../model-store/url-download';
import { formatBytes } from '../dashboard/format';

interface ImportPanelProps {
  store: ModelStore;
  onImported: (model: ModelSummary) => void;
}

export function ImportPanel({ store, onImported }: ImportPanelProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [progress, setProgress] = useState<DownloadProgress | null>(null);
  const download = useRef<AbortController | null>(null);

  async function run(work: () => Promise<ModelSummary>) {
    setBusy(true);
    setError(null);
    try {
      onImported(await work());
    } catch (e) {
      if (errorCode(e) !== 'download-cancelled') setError(describeError(e));
    } finally {
      setBusy(false);
      setProgress(null);
      download.current = null;
    }
  }

  function importFiles(input: HTMLInputElement) {
    const files = [...(input.files ?? [])];
    input.value = ''; // picking the same folder again must fire change again
    if (files.length > 0) void run(() => store.importFromFiles(files, { onProgress: setProgress }));
  }

  function startDownload(event: Event) {
    event.preventDefault();
    const controller = new AbortController();
    download.current = controller;
    void run(async () => {
      // A permission prompt needs the click's user activation: settle access before anything else.
      await ensureDownloadAccess(downloadProbeUrl(url), browserDownloadAccess());
      return store.importFromUrl(url, { signal: controller.signal, onProgress: setProgress });
    });
  }

  return (
    <section class="models-import" aria-labelledby="models-import-heading">
      <h2 id="models-import-heading">{t('models.import.heading')}</h2>
      <p class="hint">{t('models.import.filesHint')}</p>
      <div class="models-import-buttons">
        <label class="button file-button">
          {t('models.import.files')}
          <input
            type="file"
            multiple
            class="visually-hidden-file"
            disabled={busy}
            onChange={(e) => importFiles(e.currentTarget)}
            data-testid="models-import-files"
          />
        </label>{' '}
        <label class="button file-button">
          {t('models.import.folder')}
          <input
            type="file"
            {...{ webkitdirectory: true }}
            class="visually-hidden-file"
            disabled={busy}
            onChange={(e) => importFiles(e.currentTarget)}
            data-testid="models-import-folder"
          />
        </label>
      </div>
      <form onSubmit={startDownload} class="models-url">
        <label for="models-url-input">{t('models.url.label')}</label>
        <input
          id="models-url-input"
          type="url"
          required
          value={url}
          placeholder={t('models.url.placeholder')}
          onInput={(e) => setUrl(e.currentTarget.value)}
          disabled={busy}
          aria-describedby="models-url-hint"
          data-testid="models-url-input"
        />{' '}
        <button type="submit" disabled={busy || !url.trim()} data-testid="models-url-download">
          {t('models.url.download')}
        </button>
        <p id="models-url-hint" class="hint">
          {t('models.url.hint')}
        </p>
      </form>
      {busy && !download.current && <CopyProgressBar progress={progress} />}
      {busy && download.current && (
        <DownloadProgressBar progress={progress} onCancel={() => download.current?.abort()} />
      )}
      {error && (
        <p role="alert" class="error" data-testid="models-error">
          {t('models.error', { message: error })}
        </p>
      )}
    </section>
  );
}

/** Picked files being copied into the store (a few hundred MB take seconds); the total is known. */
function CopyProgressBar({ progress }: { progress: DownloadProgress | null }) {
  const text = progress
    ? t('models.import.progress', {
        file: progress.fileName,
        copied: formatBytes(progress.receivedBytes),
        total: formatBytes(progress.totalBytes ?? 0),
      })
    : t('models.import.importing');
  return (
    <div class="models-progress" data-testid="models-import-progress">
      {/* Indeterminate while the files are still being checked. */}
      <progress
        aria-label={t('models.import.progressLabel')}
        max={progress?.totalBytes ?? undefined}
        value={progress ? progress.receivedBytes : undefined}
        data-received={progress?.receivedBytes ?? 0}
        data-total={progress?.totalBytes ?? ''}
      />
      <span aria-live="polite">{text}</span>
    </div>
  );
}

function DownloadProgressBar({
  progress,
  onCancel,
}: {
  progress: DownloadProgress | null;
  onCancel: () => void;
}) {
  const total = progress?.totalBytes ?? null;
  const text = !progress
    ? t('models.import.importing')
    : total !== null
      ? t('models.url.progress', {
          file: progress.fileName,
          received: formatBytes(progress.receivedBytes),
          total: formatBytes(total),
        })
      : t('models.url.progressUnknown', {
          file: progress.fileName,
          received: formatBytes(progress.receivedBytes),
        });
  return (
    <div class="models-progress" data-testid="models-url-progress">
      {/* No value while the total is unknown: an indeterminate bar. */}
      <progress
        aria-label={t('models.url.progressLabel')}
        max={total ?? undefined}
        value={total !== null ? progress!.receivedBytes : undefined}
        data-received={progress?.receivedBytes ?? 0}
      />
      <span aria-live="polite">{text}</span>{' '}
      <button type="button" onClick={onCancel} data-testid="models-url-cancel">
        {t('models.url.cancel')}
      </button>
    </div>
  );
}
