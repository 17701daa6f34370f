// Browsers and the model fixture server for one test file: every extension launched through it,
// and the server, are closed in the file's afterAll, whatever the tests did.
import { afterAll, beforeAll } from 'vitest';
import { startModelServer, type ModelServer } from '../../unit/model-store/model-server';
import { launchExtension, type LaunchedExtension, type LaunchOptions } from '../../../tools/harness/browser';

export interface FileExtensions {
  /** The model server (started in beforeAll). */
  server(): ModelServer;
  launch(options?: LaunchOptions): Promise<LaunchedExtension>;
}

export function extensionsForThisFile(): FileExtensions {
  let server: ModelServer | undefined;
  const opened: LaunchedExtension[] = [];
  beforeAll(async () => {
    server = await startModelServer();
  });
  afterAll(async () => {
    for (const ext of opened) await ext.close().catch(() => undefined);
    await server?.close();
  });
  return {
    server: () => {
      if (!server) throw new Error('the model server starts in beforeAll');
      return server;
    },
    async launch(options = {}) {
      const ext = await launchExtension(options);
      opened.push(ext);
      return ext;
    },
  };
}
