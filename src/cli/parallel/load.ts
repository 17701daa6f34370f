// How a gradient worker thread gets its model: the leader's backend started in this thread, and
// the checkpoint read again from the folder or .gguf file the leader loaded it from.
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { ggufToModelFiles } from '../../interop/gguf/import-model';
import { loadModel, type LoadedModel } from '../../model/model';
import { loadModelFromDirectory } from '../../model/node-files';
import type { WorkerSetup } from '../../tuning/train/parallel/protocol';
import { startNodeBackend, type NodeBackend } from '../node-backend';

export async function loadWorkerModel(setup: WorkerSetup): Promise<LoadedModel> {
  const started = await startNodeBackend(setup.backend as NodeBackend);
  if (started.name !== setup.backend) throw new Error(`the ${setup.backend} backend did not start in this thread (${started.note ?? started.name})`);
  const path = setup.modelSource;
  const options = { compact: setup.compactWeights };
  if (path.endsWith('.gguf')) return loadModel(await ggufToModelFiles(await openAsBlob(path), basename(path)), options);
  return loadModelFromDirectory(path, options);
}
