// The storage half of CapturePorts: the storage engineer's IndexedDB repositories, reached
// through one lazily opened connection (the service worker may be restarted at any time).

import type { AttuneDb } from '../storage/db';
import { addExample, countExamples } from '../storage/examples-repo';
import { ensurePersistentStorage } from '../storage/persistence';
import { getSettings } from '../storage/settings-repo';
import { listTemplates, saveTemplate } from '../storage/templates-repo';
import type { CapturePorts } from './ports';

export type StoragePorts = Pick<
  CapturePorts,
  'addExample' | 'countExamples' | 'listTemplates' | 'saveTemplate' | 'readCaptureSettings'
>;

export function createStoragePorts(getDb: () => Promise<AttuneDb>): StoragePorts {
  return {
    async addExample(draft) {
      const result = await addExample(await getDb(), draft);
      if (result.status === 'duplicate') return { status: 'duplicate', id: result.existing.id };
      // Service workers usually cannot ask for persistence (the popup and dashboard ask too);
      // where they can, the first capture is the moment worth asking.
      void ensurePersistentStorage();
      return { status: 'saved', id: result.example.id };
    },
    countExamples: async () => countExamples(await getDb()),
    listTemplates: async () =>
      (await listTemplates(await getDb())).map(({ id, name, instruction, urlPattern }) => ({
        id,
        name,
        instruction,
        urlPattern,
      })),
    async saveTemplate(name, instruction, urlPattern) {
      const saved = await saveTemplate(await getDb(), { name, instruction, urlPattern });
      return { id: saved.id, name: saved.name, instruction: saved.instruction, urlPattern: saved.urlPattern };
    },
    async readCaptureSettings() {
      const { chipEnabled, locale } = await getSettings(await getDb());
      return { chipEnabled, locale };
    },
  };
}
