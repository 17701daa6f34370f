// BM25 checked against the formula computed by hand in the test (k1 = 1.2, b = 0.75,
// idf = ln(1 + (N − n + 0.5)/(n + 0.5))), on a 3-document corpus small enough to read.
import { describe, expect, test } from 'vitest';
import { Bm25Index, ExampleRetriever, tokenize } from '../../../src/retrieval';

const K1 = 1.2;
const B = 0.75;

/** Independent BM25 for one term of one document, from counts written out in the test. */
function termScore(
  tf: number,
  docLength: number,
  averageLength: number,
  documentsWithTerm: number,
  N: number,
): number {
  const idf = Math.log(1 + (N - documentsWithTerm + 0.5) / (documentsWithTerm + 0.5));
  return (idf * (tf * (K1 + 1))) / (tf + K1 * (1 - B + (B * docLength) / averageLength));
}

describe('tokenize', () => {
  test('splits words on Unicode boundaries, lower-cases, and makes CJK characters single tokens', () => {
    expect(tokenize('Hello, World! café naïve 42x')).toEqual(['hello', 'world', 'café', 'naïve', '42x']);
    expect(tokenize('翻译这句话')).toEqual(['翻', '译', '这', '句', '话']);
    expect(tokenize('用Python写代码')).toEqual(['用', 'python', '写', '代', '码']);
    expect(tokenize('ＡＢＣ１２３')).toEqual(['abc123']); // full-width folds (NFKC)
    expect(tokenize('  ...  ')).toEqual([]);
  });
});

describe('Bm25Index', () => {
  // Lengths: 4, 2, 6 tokens; average 4.
  const docs = ['the cat sat down', 'cat cat', 'a dog and a cat ran'];
  const index = new Bm25Index(docs, (d) => d);
  const N = 3;
  const avg = (4 + 2 + 6) / 3;

  test('scores match the hand-computed formula', () => {
    // "cat" is in all 3 documents; "dog" only in the third; "sat" only in the first.
    expect(index.score('cat', 0)).toBeCloseTo(termScore(1, 4, avg, 3, N), 12);
    expect(index.score('cat', 1)).toBeCloseTo(termScore(2, 2, avg, 3, N), 12);
    expect(index.score('cat', 2)).toBeCloseTo(termScore(1, 6, avg, 3, N), 12);
    expect(index.score('dog cat', 2)).toBeCloseTo(
      termScore(1, 6, avg, 1, N) + termScore(1, 6, avg, 3, N),
      12,
    );
    expect(index.score('sat dog', 0)).toBeCloseTo(termScore(1, 4, avg, 1, N), 12);
    expect(index.score('zebra', 1)).toBe(0);
  });

  test('topK ranks by score, drops non-matching documents and respects K', () => {
    const ranked = index.topK('dog cat', 3);
    const expected = [0, 1, 2]
      .map((i) => ({ i, s: index.score('dog cat', i) }))
      .sort((a, b) => b.s - a.s)
      .map((x) => x.i);
    expect(ranked.map((r) => r.index)).toEqual(expected);
    expect(ranked[0]!.item).toBe('a dog and a cat ran');
    expect(index.topK('dog cat', 1)).toHaveLength(1);
    expect(index.topK('sat', 3).map((r) => r.index)).toEqual([0]);
    expect(index.topK('zebra', 3)).toEqual([]);
    expect(index.topK('cat', 0)).toEqual([]);
  });

  test('equal scores keep list order (deterministic ties)', () => {
    const twins = new Bm25Index(['red apple', 'green pear', 'red apple', 'red apple'], (d) => d);
    expect(twins.topK('apple', 3).map((r) => r.index)).toEqual([0, 2, 3]);
  });

  test('Chinese text is searchable character by character', () => {
    const zh = new Bm25Index(['把这句话翻译成英文', '总结这篇文章', '写一首诗'], (d) => d);
    expect(zh.topK('翻译成法语', 3).map((r) => r.index)).toEqual([0]);
    expect(zh.topK('文章总结', 1)[0]!.index).toBe(1);
  });
});

describe('ExampleRetriever', () => {
  test('matches on instruction and input, not on the output', () => {
    const examples = [
      { instruction: 'Translate to French', input: 'good morning', output: 'bonjour' },
      { instruction: 'Summarise', input: 'a long report about weather', output: 'rain tomorrow' },
      { instruction: 'Write a haiku', output: 'bonjour weather translate' },
    ];
    const retriever = new ExampleRetriever(examples);
    expect(retriever.topK('translate this', 3).map((r) => r.index)).toEqual([0]);
    expect(retriever.topK({ instruction: 'Summarise the weather report', output: '' }, 1)[0]!.item).toBe(
      examples[1],
    );
  });
});
