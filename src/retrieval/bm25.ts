// BM25 (Robertson/Spärck Jones, Lucene's non-negative idf) over a fixed set of documents: the
// retrieval behind "few-shot from my examples" and `attune eval --icl`. Pure and synchronous;
// a few thousand captured examples index in milliseconds, so the index is rebuilt when needed.
import { tokenize } from './tokenize';

export interface Bm25Options {
  /** Term-frequency saturation (default 1.2). */
  k1?: number;
  /** Length normalisation, 0 (none) to 1 (full) (default 0.75). */
  b?: number;
}

export interface ScoredDocument<T> {
  item: T;
  /** Position of the item in the indexed list (ties rank the earlier item first). */
  index: number;
  score: number;
}

interface IndexedDocument {
  termCounts: Map<string, number>;
  length: number;
}

export class Bm25Index<T> {
  private readonly docs: IndexedDocument[];
  private readonly documentFrequency = new Map<string, number>();
  private readonly averageLength: number;
  private readonly k1: number;
  private readonly b: number;

  /** `textOf` says which text of an item is searched (e.g. instruction + input). */
  constructor(
    private readonly items: readonly T[],
    textOf: (item: T) => string,
    options: Bm25Options = {},
  ) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
    this.docs = items.map((item) => countTerms(tokenize(textOf(item))));
    for (const doc of this.docs) {
      for (const term of doc.termCounts.keys())
        this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    }
    const total = this.docs.reduce((sum, doc) => sum + doc.length, 0);
    this.averageLength = this.docs.length > 0 ? total / this.docs.length : 0;
  }

  get size(): number {
    return this.items.length;
  }

  /** idf(t) = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5)); never negative, so common words cannot hurt. */
  idf(term: string): number {
    const n = this.documentFrequency.get(term) ?? 0;
    return Math.log(1 + (this.docs.length - n + 0.5) / (n + 0.5));
  }

  /** BM25 score of document `index` for the query text. */
  score(query: string, index: number): number {
    return this.scoreTerms(tokenize(query), index);
  }

  /**
   * The K best-matching items, best first. Items sharing no term with the query are left out
   * (a demonstration about something else only costs context); equal scores keep list order.
   */
  topK(query: string, k: number): ScoredDocument<T>[] {
    if (k <= 0) return [];
    const terms = tokenize(query);
    const scored: ScoredDocument<T>[] = [];
    this.items.forEach((item, index) => {
      const score = this.scoreTerms(terms, index);
      if (score > 0) scored.push({ item, index, score });
    });
    scored.sort((a, b) => b.score - a.score || a.index - b.index);
    return scored.slice(0, k);
  }

  private scoreTerms(queryTerms: readonly string[], index: number): number {
    const doc = this.docs[index];
    if (!doc || this.averageLength === 0) return 0;
    let score = 0;
    // A repeated query word counts once per occurrence, as in the classic formula over query terms.
    for (const term of queryTerms) {
      const tf = doc.termCounts.get(term) ?? 0;
      if (tf === 0) continue;
      const norm = this.k1 * (1 - this.b + (this.b * doc.length) / this.averageLength);
      score += this.idf(term) * ((tf * (this.k1 + 1)) / (tf + norm));
    }
    return score;
  }
}

function countTerms(tokens: readonly string[]): IndexedDocument {
  const termCounts = new Map<string, number>();
  for (const token of tokens) termCounts.set(token, (termCounts.get(token) ?? 0) + 1);
  return { termCounts, length: tokens.length };
}
