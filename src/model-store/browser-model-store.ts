// The model store as extension pages (and the PWA) use it: OPFS files, the packaged default
// model, the page's fetch and the browser's storage estimate.
import type { AttuneDb } from '../storage/db';
import { extensionFolderReader } from './bundled';
import { ModelStore } from './model-store';
import { OpfsModelFileStore } from './opfs-file-store';
import { browserEstimate } from './quota';

export function createBrowserModelStore(db: AttuneDb): ModelStore {
  return new ModelStore({
    db,
    files: new OpfsModelFileStore(),
    bundled: extensionFolderReader(),
    fetch: (input, init) => fetch(input, init),
    estimate: browserEstimate,
  });
}
