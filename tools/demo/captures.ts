// What the demo captures from the bundled sample pages (test/fixtures/pages): a personal style of
// instruction the shipped model does not already follow, so tuning has something to learn.
export interface DemoCapture {
  page: string;
  elementId: string;
  instruction: string;
  /** Typed by the user instead of keeping the selection as output. */
  output?: string;
}

export const DEMO_CAPTURES: DemoCapture[] = [
  { page: 'foxes.html', elementId: 'p-bold', instruction: 'Note this finding about urban foxes.' },
  { page: 'bread.html', elementId: 'p-mix', instruction: 'Note the first step of the bread recipe.' },
  { page: 'rivers.html', elementId: 'p-lead', instruction: 'Note the main point about rivers.' },
];
