// Retrieval over instruction/output pairs: the K captured examples most similar to a request,
// matched on instruction + input (what a person asks), never on the output.
import { Bm25Index, type ScoredDocument } from './bm25';

export interface RetrievableExample {
  instruction: string;
  input?: string;
  output: string;
}

/** The text an example is found by. */
export function searchTextOf(example: RetrievableExample): string {
  return example.input ? `${example.instruction}\n${example.input}` : example.instruction;
}

export class ExampleRetriever<T extends RetrievableExample> {
  private readonly index: Bm25Index<T>;

  constructor(examples: readonly T[]) {
    this.index = new Bm25Index(examples, searchTextOf);
  }

  /** Up to K examples most similar to the request, best first. */
  topK(request: RetrievableExample | string, k: number): ScoredDocument<T>[] {
    const query = typeof request === 'string' ? request : searchTextOf(request);
    return this.index.topK(query, k);
  }
}
