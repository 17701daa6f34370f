export { Bm25Index, type Bm25Options, type ScoredDocument } from './bm25';
export { ExampleRetriever, searchTextOf, type RetrievableExample } from './examples';
export { tokenize } from './tokenize';
export { demonstrationMessages, sameExample, type UserTurnRenderer } from './demonstrations';
