// The protocol's edges: request validation on the host side, and the page-side client over a
// fake Port (progress, result, error, cancel, a Port that goes away).
import { describe, expect, test } from 'vitest';
import { EngineClient, EngineRequestError, EngineUnavailableError, type PortLike } from '../../../../src/engine/client/engine-client';
import { isEngineRequest } from '../../../../src/engine/protocol/validate';
import { isMethodName } from '../../../../src/tuning/registry';

describe('request validation', () => {
  const ok = { kind: 'train.start', id: 'a-1', payload: { examples: { kind: 'all' }, method: 'lora' } };
  test('accepts well-formed requests of every shape used', () => {
    expect(isEngineRequest(ok, isMethodName)).toBe(true);
    expect(isEngineRequest({ kind: 'train.start', id: 'x', payload: { examples: { kind: 'tag', tag: 'work' }, method: 'prompt-tuning', overrides: { maxSteps: 5, lr: 0.01 }, methodConfig: { numVirtualTokens: 8 }, name: 'n' } }, isMethodName)).toBe(true);
    expect(isEngineRequest({ kind: 'model.generate', id: 'g', payload: { messages: [{ role: 'user', content: 'hi' }], adapterId: null, sampling: { greedy: false, temperature: 0.7 } } }, isMethodName)).toBe(true);
    expect(isEngineRequest({ kind: 'train.pause', id: 'p', payload: {} }, isMethodName)).toBe(true);
  });
  test.each([
    ['unknown kind', { ...ok, kind: 'train.explode' }],
    ['no id', { kind: 'train.status', payload: {} }],
    ['extra top-level field', { ...ok, extra: 1 }],
    ['unknown method', { ...ok, payload: { examples: { kind: 'all' }, method: 'magic' } }],
    ['empty tag', { ...ok, payload: { examples: { kind: 'tag', tag: '' }, method: 'lora' } }],
    ['unknown setting', { ...ok, payload: { examples: { kind: 'all' }, method: 'lora', overrides: { lr: 0.1, turbo: true } } }],
    ['non-finite setting', { ...ok, payload: { examples: { kind: 'all' }, method: 'lora', overrides: { lr: Number.NaN } } }],
    ['prompt and messages together', { kind: 'model.generate', id: 'g', payload: { prompt: 'a', messages: [{ role: 'user', content: 'b' }], adapterId: null } }],
    ['neither prompt nor messages', { kind: 'model.generate', id: 'g', payload: { adapterId: null } }],
    ['bad role', { kind: 'model.generate', id: 'g', payload: { messages: [{ role: 'root', content: 'b' }], adapterId: null } }],
    ['payload on an empty kind', { kind: 'train.pause', id: 'p', payload: { now: true } }],
  ])('refuses %s', (_, message) => {
    expect(isEngineRequest(message, isMethodName)).toBe(false);
  });
});

/** A Port whose other end the test plays. */
function fakePort() {
  const messageListeners: ((m: unknown) => void)[] = [];
  const disconnectListeners: (() => void)[] = [];
  const sent: { kind: string; id: string; payload: unknown }[] = [];
  const port: PortLike = {
    postMessage: (m) => sent.push(m as (typeof sent)[number]),
    disconnect: () => undefined,
    onMessage: { addListener: (l) => messageListeners.push(l) },
    onDisconnect: { addListener: (l) => disconnectListeners.push(l) },
  };
  return {
    port,
    sent,
    emit: (m: unknown) => messageListeners.forEach((l) => l(m)),
    drop: () => disconnectListeners.forEach((l) => l()),
  };
}

describe('EngineClient', () => {
  test('routes progress and the result by id, and turns error events into EngineRequestError', async () => {
    const fake = fakePort();
    const client = new EngineClient(async () => {
      setTimeout(() => fake.emit({ type: 'ready' }), 0); // a real Port delivers in a later task
      return fake.port;
    });
    const pieces: string[] = [];
    const generation = client.request('model.generate', { prompt: 'hi', adapterId: null }, { onProgress: (p) => pieces.push(p.delta) });
    await expect.poll(() => fake.sent.length).toBe(1);
    const { id, kind } = fake.sent[0]!;
    expect(kind).toBe('model.generate');
    fake.emit({ type: 'progress', id: 'someone-else', progress: { delta: 'x' } });
    fake.emit({ type: 'progress', id, progress: { delta: 'Hel' } });
    fake.emit({ type: 'progress', id, progress: { delta: 'lo' } });
    fake.emit({ type: 'result', id, result: { text: 'Hello', tokens: 2, stopReason: 'eos' } });
    await expect(generation).resolves.toEqual({ text: 'Hello', tokens: 2, stopReason: 'eos' });
    expect(pieces).toEqual(['Hel', 'lo']);

    const refused = client.request('train.pause', {});
    await expect.poll(() => fake.sent.length).toBe(2);
    fake.emit({ type: 'error', id: fake.sent[1]!.id, error: { code: 'not-running', message: 'There is no training run to pause.' } });
    const error = await refused.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineRequestError);
    expect(error).toMatchObject({ code: 'not-running', message: 'There is no training run to pause.' });
  });

  test('aborting the signal sends request.cancel for that request', async () => {
    const fake = fakePort();
    const client = new EngineClient(async () => {
      setTimeout(() => fake.emit({ type: 'ready' }), 0); // a real Port delivers in a later task
      return fake.port;
    });
    const controller = new AbortController();
    const generation = client.request('model.generate', { prompt: 'hi', adapterId: null }, { signal: controller.signal });
    await expect.poll(() => fake.sent.length).toBe(1);
    controller.abort();
    expect(fake.sent[1]).toMatchObject({ kind: 'request.cancel', payload: { requestId: fake.sent[0]!.id } });
    fake.emit({ type: 'error', id: fake.sent[0]!.id, error: { code: 'cancelled', message: 'Stopped.' } });
    await expect(generation).rejects.toMatchObject({ code: 'cancelled' });
  });

  test('a Port that closes fails pending requests, and the next request reconnects', async () => {
    const ports = [fakePort(), fakePort()];
    let opened = 0;
    const client = new EngineClient(async () => {
      const fake = ports[opened++]!;
      setTimeout(() => fake.emit({ type: 'ready' }), 0); // a real Port delivers in a later task
      return fake.port;
    });
    const pending = client.request('train.status', {});
    await expect.poll(() => ports[0]!.sent.length).toBe(1);
    ports[0]!.drop();
    await expect(pending).rejects.toBeInstanceOf(EngineUnavailableError);
    const next = client.request('train.status', {});
    await expect.poll(() => ports[1]!.sent.length).toBe(1);
    ports[1]!.emit({ type: 'result', id: ports[1]!.sent[0]!.id, result: { phase: 'idle' } });
    await expect(next).resolves.toMatchObject({ phase: 'idle' });
    expect(opened).toBe(2);
  });
});
