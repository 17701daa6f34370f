// The content script's CaptureApi: every call is a typed message to the background, which
// validates it again before anything reaches storage.

import { askBackground, MessageRefusedError } from '../messaging/client';
import type { CaptureApi, SaveOutcome } from './api';

function reasonOf(error: unknown): string {
  if (error instanceof MessageRefusedError && error.detail.problems?.length) {
    return error.detail.problems.map((problem) => problem.message).join(' ');
  }
  return error instanceof Error ? error.message : String(error);
}

export function createContentApi(): CaptureApi {
  return {
    async save(payload): Promise<SaveOutcome> {
      try {
        const result = await askBackground('example.save', payload);
        if (result.status === 'duplicate') return { kind: 'duplicate' };
        const { count } = await askBackground('examples.count', {}).catch(() => ({ count: undefined }));
        return count === undefined ? { kind: 'saved' } : { kind: 'saved', count };
      } catch (error) {
        return { kind: 'failed', reason: reasonOf(error) };
      }
    },
    listUserTemplates: async () => (await askBackground('templates.list', {})).templates,
    saveTemplate: async (name, instruction, urlPattern) =>
      (await askBackground('templates.save', { name, instruction, urlPattern })).template,
    settings: () => askBackground('settings.capture', {}),
  };
}
