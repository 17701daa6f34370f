// A gradient worker's side, whatever carries its messages: rebuilds the leader's model and
// adapter from the init message, then for each step writes the values it was sent into its
// trainable variables and returns each micro-batch's loss and gradients as Float32Arrays (not
// summed: the leader adds every micro-batch in order). Messages are handled one at a time.
import type { AttuneError } from '../../../errors/attune-error';
import type { LoadedModel } from '../../../model/model';
import { getMethod } from '../../registry';
import type { Adapter } from '../../types';
import { microBatchGradients, type ForwardSetup } from '../gradients';
import { writeVariables } from '../snapshot';
import type { LeaderMessage, MicroBatchReply, WorkerReply, WorkerSetup } from './protocol';

export interface WorkerHost {
  /** Sends a reply; `transfer` lists buffers the reply may hand over instead of copying. */
  post(reply: WorkerReply, transfer: ArrayBuffer[]): void;
  /** Starts the setup's backend and loads the checkpoint it names (the transport knows where). */
  loadModel(setup: WorkerSetup): Promise<LoadedModel>;
}

/** Returns the message handler; each call waits for the previous one to finish. */
export function gradientWorker(host: WorkerHost): (message: LeaderMessage) => Promise<void> {
  let forward: ForwardSetup | null = null;
  let queue: Promise<void> = Promise.resolve();

  const handle = async (message: LeaderMessage): Promise<void> => {
    switch (message.type) {
      case 'init': {
        const setup = message.setup;
        const model = await host.loadModel(setup);
        let adapter: Adapter;
        try {
          const tokenizer = model.tokenizer;
          adapter = getMethod(setup.method).create(setup.methodConfig, {
            model: model.config,
            weights: model.weights,
            baseModelId: setup.baseModelId,
            seed: setup.seed,
            ...(tokenizer ? { encode: (text: string) => tokenizer.encode(text, { addSpecialTokens: false }) } : {}),
          });
        } catch (error) {
          model.dispose();
          throw error;
        }
        forward = { model, adapter, params: adapter.trainable(), recompute: setup.recompute, keepFrozenProducts: setup.keepFrozenProducts, headChunkRows: setup.headChunkRows };
        host.post({ type: 'ready', keys: forward.params.map(({ key }) => key) }, []);
        return;
      }
      case 'step': {
        if (!forward) throw new Error('a step arrived before the model was loaded');
        writeVariables(forward.params, message.values);
        const parts: MicroBatchReply[] = [];
        const transfer: ArrayBuffer[] = [];
        for (let i = 0; i < message.micro.length; i++) {
          const { value, grads } = microBatchGradients(forward, message.micro[i]!, message.seeds[i]!, message.lossTokens);
          const part: MicroBatchReply = { loss: (await value.data())[0]!, grads: {} };
          value.dispose();
          for (const [key, grad] of grads) {
            // A copy of its own: handed over to the leader, it must share no backend storage.
            const data = ((await grad.data()) as Float32Array).slice();
            grad.dispose();
            part.grads[key] = data;
            transfer.push(data.buffer as ArrayBuffer);
          }
          parts.push(part);
        }
        host.post({ type: 'gradients', step: message.step, parts }, transfer);
        return;
      }
      case 'dispose':
        forward?.adapter.dispose();
        forward?.model.dispose();
        forward = null;
        return;
    }
  };

  return (message) => {
    queue = queue.then(() =>
      handle(message).catch((error: unknown) => {
        const info = (error as Partial<AttuneError> | null)?.toInfo?.();
        const text = error instanceof Error ? error.message : String(error);
        host.post({ type: 'error', error: info ?? { code: 'internal', message: text } }, []);
      }),
    );
    return queue;
  };
}
