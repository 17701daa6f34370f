// What the demo captures from the bundled sample pages (tools/harness/pages): a personal style of
// note-taking (one short "Note: …" line) that the shipped model does not already follow, so tuning
// has something to learn. Twenty pairs, so that the trainer keeps a held-out split.
export interface DemoCapture {
  page: string;
  elementId: string;
  instruction: string;
  /** Typed by the user instead of keeping the selection as output. */
  output: string;
}

const notes: [page: string, elementId: string, instruction: string, output: string][] = [
  ['foxes.html', 'p-intro', 'Note where red foxes live now.', 'Note: red foxes now live in many European cities.'],
  ['foxes.html', 'p-intro', 'Note what urban foxes do at night.', 'Note: they cross embankments at dusk and raid bins.'],
  ['foxes.html', 'p-territory', 'Note how far urban foxes roam.', 'Note: urban foxes keep small territories.'],
  ['foxes.html', 'p-territory', 'Note why fox territories are small in town.', 'Note: food sits in a few predictable places.'],
  ['foxes.html', 'p-bold', 'Note this finding about urban foxes.', 'Note: city foxes are bolder than rural foxes.'],
  ['foxes.html', 'p-bold', 'Note how the fox study was done.', 'Note: objects were placed near feeding sites.'],
  ['foxes.html', 'p-outro', 'Note the closing point about foxes.', 'Note: foxes keep adapting to cities quickly.'],
  ['bread.html', 'p-lede', 'Note how much work the loaf takes.', 'Note: about fifteen minutes of hands-on work.'],
  ['bread.html', 'p-lede', 'Note the plan for the day.', 'Note: mix in the morning, bake before dinner.'],
  ['bread.html', 'p-mix', 'Note the first step of the bread recipe.', 'Note: mix flour, salt, yeast and water.'],
  ['bread.html', 'p-mix', 'Note how the dough should look after mixing.', 'Note: rough dough is fine.'],
  ['bread.html', 'p-rise', 'Note how the dough should rise.', 'Note: let it rise until doubled.'],
  ['bread.html', 'p-rise', 'Note how long the dough rises.', 'Note: two to three hours somewhere warm.'],
  ['bread.html', 'p-bake', 'Note how to bake the loaf.', 'Note: bake at 230 °C for thirty-five minutes.'],
  ['bread.html', 'p-bake', 'Note how to tell the loaf is done.', 'Note: the base sounds hollow when tapped.'],
  ['rivers.html', 'p-lead', 'Note the main point about rivers.', 'Note: the council will remove an old weir.'],
  ['rivers.html', 'p-lead', 'Note how the council voted.', 'Note: seven votes to two.'],
  ['rivers.html', 'p-detail', 'Note why supporters backed the plan.', 'Note: fish can move upstream again.'],
  ['rivers.html', 'p-detail', 'Note what opponents said.', 'Note: they questioned the cost.'],
  ['rivers.html', 'p-next', 'Note when the river work starts.', 'Note: next summer, when water is lowest.'],
];

export const DEMO_CAPTURES: DemoCapture[] = notes.map(([page, elementId, instruction, output]) => ({
  page,
  elementId,
  instruction,
  output,
}));

/** Asked in the side panel, with and without the adapter: not one of the captured instructions. */
export const DEMO_PROMPT = 'Note what the council will do next month.';
