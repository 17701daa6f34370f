// The one convention both message protocols follow: runtime messages between the extension's
// contexts (protocol.ts here) and the engine protocol over its Port (src/engine/protocol/).
//
// - A request is `{kind, payload}` (plus `id` on a Port, where replies must be matched by hand;
//   one-shot runtime messages get their reply from the transport).
// - Kinds are `noun.verb` in lower case (`example.save`, `train.start`); KIND_PATTERN checks it.
// - Each protocol declares its kinds once, in a request table: kind -> payload, result and, for
//   requests that stream, progress.
// - A request ends in an Outcome: `{type: 'result', result}` or `{type: 'error', error}` where the
//   error carries a stable code (the UI renders it; logs read the message). On a Port, progress
//   events `{type: 'progress', progress}` may come first.

/** One row of a request table. */
export interface RequestSpec {
  payload: unknown;
  result: unknown;
  /** Streamed updates before the result; `never` for one-shot requests. */
  progress: unknown;
}

export type RequestTable<Kinds extends string> = { [K in Kinds]: RequestSpec };

export type RequestPayload<T, K extends keyof T> = T[K] extends { payload: infer P } ? P : never;
export type RequestResult<T, K extends keyof T> = T[K] extends { result: infer R } ? R : never;
export type RequestProgress<T, K extends keyof T> = T[K] extends { progress: infer P } ? P : never;

/** How a request ends. */
export type Outcome<R, E> = { type: 'result'; result: R } | { type: 'error'; error: E };

/** `noun.verb`, lower case, words joined by hyphens: `example.save`, `adapter.import`. */
export const KIND_PATTERN = /^[a-z]+(?:-[a-z]+)*(?:\.[a-z]+(?:-[a-z]+)*)+$/;
