// A real EngineHost on the tfjs CPU backend, a tiny fixture model read from disk and a fresh
// fake-indexeddb database: the same host the offscreen document runs, minus the browser.
import 'fake-indexeddb/auto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll } from 'vitest';
import { EngineHost, type EngineConnection } from '../../../../src/engine/host/host';
import type { ModelSource } from '../../../../src/engine/host/models';
import type { CheckpointPolicy } from '../../../../src/engine/host/training/checkpoints';
import type { EngineEvent, EngineKind, PayloadOf, ResultOf } from '../../../../src/engine/protocol/types';
import { openAttuneDb, type AttuneDb } from '../../../../src/storage/db';
import { importExamples } from '../../../../src/storage/examples-repo';
import { FIXTURES } from '../../tuning/helpers';

export const MODEL_ID = 'tiny-llama';

let dbCounter = 0;
export async function freshDb(): Promise<AttuneDb> {
  return openAttuneDb({ name: `engine-host-${Date.now()}-${dbCounter++}` });
}

export function fixtureFiles(name = MODEL_ID): Map<string, Uint8Array> {
  const dir = join(FIXTURES, name);
  return new Map(readdirSync(dir).filter((f) => f !== 'golden.json').map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
}

const WORDS = ['apple', 'river', 'stone', 'cloud', 'green', 'tiger', 'lemon', 'piano', 'ocean', 'candle'];

/** 20 short instruction/output pairs that fit the fixture's 64-token context. */
export async function seedExamples(db: AttuneDb, count = 20): Promise<void> {
  const items = Array.from({ length: count }, (_, i) => {
    const word = WORDS[i % WORDS.length]!;
    return { draft: { instruction: `Echo ${word} ${i}`, input: '', output: `${word} ${word}`, tags: i % 2 ? ['odd'] : ['even'], sourceUrl: '', sourceTitle: '' }, createdAt: 1000 + i };
  });
  await importExamples(db, items);
}

let ids = 0;
/** One fixture model, read from disk; it stores no trained models (model-store-training.test.ts does). */
const fixtureSource: ModelSource = {
  activeModelId: async () => MODEL_ID,
  read: async () => ({ files: fixtureFiles(), peftBaseId: MODEL_ID }),
  saveTrainedModel: async () => {
    throw new Error('this test source stores no trained models');
  },
};

export function createHost(db: AttuneDb, checkpoints: CheckpointPolicy = { everySteps: 2, everyMs: 1e9 }, models: ModelSource = fixtureSource): EngineHost {
  return new EngineHost({
    db: async () => db,
    models,
    backend: async () => {
      await tf.setBackend('cpu');
      await tf.ready();
      return 'cpu';
    },
    newId: () => `id-${ids++}`,
    checkpoints,
  });
}

/** Talks to a host the way a page does: raw messages in, events out. */
/**
 * Runs this file's hosts on the tfjs CPU backend and disposes every host pushed to the returned
 * list after each test (so a failed test never leaves a host's model or timers behind).
 */
export function useCpuHosts(): EngineHost[] {
  const hosts: EngineHost[] = [];
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });
  afterEach(() => {
    for (const h of hosts.splice(0)) h.dispose();
  });
  return hosts;
}

export class TestClient {
  private readonly connection: EngineConnection;
  private readonly waiting = new Map<string, { resolve(v: unknown): void; reject(e: Error): void; onProgress?: (p: unknown) => void }>();
  private next = 1;

  constructor(host: EngineHost) {
    this.connection = host.connect((event) => this.onEvent(event));
  }

  request<K extends EngineKind>(kind: K, payload: PayloadOf<K>, onProgress?: (p: unknown) => void): Promise<ResultOf<K>> {
    const id = `t-${this.next++}`;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      this.connection.receive({ kind, id, payload });
    });
  }

  /** Sends anything (for malformed-request tests); resolves with the first answer. */
  raw(message: Record<string, unknown>): Promise<EngineEvent> {
    return new Promise((resolve) => {
      const id = String(message.id);
      this.waiting.set(id, { resolve: (v) => resolve({ type: 'result', id, result: v }), reject: (e) => resolve({ type: 'error', id, error: { code: (e as Error & { code: never }).code, message: e.message } }) });
      this.connection.receive(message);
    });
  }

  close(): void {
    this.connection.close();
  }

  private onEvent(event: EngineEvent): void {
    if (event.type === 'ready') return;
    const waiting = this.waiting.get(event.id);
    if (!waiting) return;
    if (event.type === 'progress') return waiting.onProgress?.(event.progress);
    this.waiting.delete(event.id);
    if (event.type === 'result') waiting.resolve(event.result);
    else waiting.reject(Object.assign(new Error(event.error.message), { code: event.error.code }));
  }
}
