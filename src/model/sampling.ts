// Choosing the next token from a row of logits, on the host (a vocabulary row is small).
// Order follows HF generate: repetition penalty, temperature, top-k, top-p, then sample.

export interface SamplingOptions {
  /** Pick the most likely token (ignores temperature/top-k/top-p). */
  greedy?: boolean;
  /** > 0; 1 leaves the distribution unchanged. Default 1. */
  temperature?: number;
  /** Keep the k most likely tokens; 0 or undefined = all. */
  topK?: number;
  /** Keep the smallest set whose probability reaches p (0 < p <= 1); 1 = all. */
  topP?: number;
  /** > 1 discourages tokens already present (CTRL paper, as in HF). Default 1. */
  repetitionPenalty?: number;
}

/** mulberry32: a tiny seeded PRNG, so sampled generations are reproducible. Returns [0, 1). */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** HF RepetitionPenaltyLogitsProcessor: divide positive logits, multiply negative ones. */
export function applyRepetitionPenalty(logits: Float32Array, previous: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of new Set(previous)) {
    const value = logits[id]!;
    logits[id] = value > 0 ? value / penalty : value * penalty;
  }
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Picks the next token. `logits` is modified in place. */
export function sampleToken(logits: Float32Array, previous: readonly number[], options: SamplingOptions, random: () => number): number {
  applyRepetitionPenalty(logits, previous, options.repetitionPenalty ?? 1);
  const temperature = options.temperature ?? 1;
  if (options.greedy || temperature === 0) return argmax(logits);
  const candidates = topCandidates(logits, temperature, options.topK ?? 0, options.topP ?? 1);
  let r = random();
  for (const c of candidates) {
    r -= c.p;
    if (r < 0) return c.id;
  }
  return candidates[candidates.length - 1]!.id;
}

/** Candidates sorted by probability (renormalised after top-k/top-p filtering). */
export function topCandidates(logits: Float32Array, temperature: number, topK: number, topP: number): { id: number; p: number }[] {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let all = Array.from(logits, (v, id) => ({ id, p: Math.exp((v - max) / temperature) }));
  all.sort((a, b) => b.p - a.p);
  if (topK > 0 && topK < all.length) all = all.slice(0, topK);
  normalise(all);
  if (topP < 1) {
    let cumulative = 0;
    let keep = 0;
    while (keep < all.length && cumulative < topP) cumulative += all[keep++]!.p;
    all = all.slice(0, Math.max(1, keep));
    normalise(all);
  }
  return all;
}

function normalise(items: { p: number }[]): void {
  const total = items.reduce((s, c) => s + c.p, 0);
  for (const c of items) c.p /= total;
}
