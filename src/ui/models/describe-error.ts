// Errors in the user's language. The error classes carry English messages (logs, CLI); for
// Simplified Chinese the Models view rebuilds the message from the error's fields. Unknown errors,
// and everything in English, show the class's own message.
import { getLocale, t } from '../../i18n';
import { ModelTooLargeForGpuError } from '../../backend/errors';
import {
  CorruptModelFileError,
  HostPermissionDeniedError,
  InvalidModelUrlError,
  MissingModelFileError,
  ModelDownloadHttpError,
  ModelDownloadNetworkError,
  ModelStorageFullError,
  TruncatedDownloadError,
  UnsupportedModelError,
  formatBytes,
} from '../../model-store/errors';

type Translation = [key: string, substitutions: Record<string, string | number>];

function translation(error: Error): Translation | null {
  if (error instanceof ModelDownloadHttpError)
    return ['models.err.http', { url: error.url, status: error.status }];
  if (error instanceof ModelDownloadNetworkError) return ['models.err.network', { url: error.url }];
  if (error instanceof TruncatedDownloadError) {
    return [
      'models.err.truncated',
      {
        file: error.fileName,
        received: formatBytes(error.receivedBytes),
        expected: formatBytes(error.expectedBytes),
      },
    ];
  }
  if (error instanceof ModelStorageFullError) {
    return error.neededBytes !== null && error.availableBytes !== null
      ? [
          'models.err.quotaEstimate',
          { needed: formatBytes(error.neededBytes), available: formatBytes(error.availableBytes) },
        ]
      : ['models.err.quota', {}];
  }
  if (error instanceof HostPermissionDeniedError) return ['models.err.permission', { origin: error.origin }];
  if (error instanceof InvalidModelUrlError) return ['models.err.url', { input: error.input }];
  if (error instanceof MissingModelFileError) return ['models.err.missingFile', { file: error.fileName }];
  if (error instanceof CorruptModelFileError) return ['models.err.corrupt', { file: error.fileName }];
  if (error instanceof UnsupportedModelError) return ['models.err.unsupported', {}];
  if (error instanceof ModelTooLargeForGpuError) {
    return [
      'models.err.tooLarge',
      {
        tensor: error.tensorName,
        size: formatBytes(error.tensorBytes),
        limit: formatBytes(error.limitBytes),
        limitName: error.limitName,
      },
    ];
  }
  return null;
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const found = getLocale() === 'en' ? null : translation(error);
  return found ? t(...found) : error.message;
}
