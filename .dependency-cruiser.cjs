// The architecture map as a build check. The map itself lives in one place, the table between
// the dependency-map markers in docs/architecture.md; this file reads that table and turns each
// row into a rule, so the document and the check cannot drift apart. It refuses to run when a
// folder of src/ has no row or when the map itself has a cycle (then folder cycles could be
// allowed row by row), and `no-circular` catches cycles between files.
// Type-only imports count like any other: a type shared across a boundary is still coupling.
const fs = require('node:fs');
const path = require('node:path');

const DOC = 'docs/architecture.md';
const START = '<!-- dependency-map:start -->';
const END = '<!-- dependency-map:end -->';

function fail(message) {
  throw new Error(`${DOC}: ${message}`);
}

/** Rows of the map: folder name -> { job, allowed folders }. */
function readMap() {
  const text = fs.readFileSync(path.join(__dirname, DOC), 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) fail(`no table between ${START} and ${END}`);
  const map = new Map();
  for (const line of text.slice(start + START.length, end).split('\n')) {
    // | `folder` | job | `dep`, `dep` |   (header and separator rows have no backticked folder)
    const row = /^\|\s*`([a-z0-9-]+(?:\/[a-z0-9-]+)*)\/?`\s*\|(.*)\|(.*)\|\s*$/.exec(line.trim());
    if (!row) continue;
    const [, folder, job, deps] = row;
    if (map.has(folder)) fail(`\`${folder}\` has two rows`);
    map.set(folder, { job: job.trim(), allowed: [...deps.matchAll(/`([a-z0-9-]+(?:\/[a-z0-9-]+)*)\/?`/g)].map((m) => m[1]) });
  }
  return map;
}

function checkMap(map) {
  const folders = fs
    .readdirSync(path.join(__dirname, 'src'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  for (const folder of folders) if (!map.has(folder)) fail(`src/${folder}/ has no row in the dependency map`);
  for (const [folder, { allowed }] of map) {
    if (!fs.existsSync(path.join(__dirname, 'src', folder))) fail(`\`${folder}\` is in the dependency map but src/${folder}/ does not exist`);
    // A sub-folder row narrows its parent's: it may only name what the parent may import.
    const parent = folder.includes('/') ? folder.slice(0, folder.indexOf('/')) : null;
    if (parent && !map.has(parent)) fail(`\`${folder}\` has a row but its folder \`${parent}\` has none`);
    for (const dep of allowed) {
      if (parent && !dep.startsWith(`${parent}/`) && !map.get(parent).allowed.some((a) => dep === a || dep.startsWith(`${a}/`)))
        fail(`\`${folder}\` may import \`${dep}\`, which its folder \`${parent}\` may not`);
    }
    for (const dep of allowed) if (!map.has(dep)) fail(`\`${folder}\` may import \`${dep}\`, which has no row`);
  }
  // Depth-first search for a back edge: the map must be a DAG so folder cycles cannot be allowed.
  const state = new Map();
  const visit = (folder, trail) => {
    if (state.get(folder) === 'done') return;
    if (state.get(folder) === 'open') fail(`the map has a cycle: ${[...trail, folder].join(' -> ')}`);
    state.set(folder, 'open');
    for (const dep of map.get(folder).allowed) visit(dep, [...trail, folder]);
    state.set(folder, 'done');
  };
  for (const folder of map.keys()) visit(folder, []);
}

const escapeRegExp = (name) => name.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&');

const map = readMap();
checkMap(map);

const folderRules = [...map].map(([folder, { job, allowed }]) => ({
  name: `map:${folder}`,
  comment: `src/${folder}/ (${job}) may import ${allowed.length ? `only ${allowed.join(', ')}` : 'no other src/ folder'}: see the map in ${DOC}`,
  severity: 'error',
  from: { path: `^src/${escapeRegExp(folder)}/` },
  to: { path: '^src/', pathNot: `^src/(${[folder, ...allowed].map(escapeRegExp).join('|')})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...folderRules,
    {
      name: 'no-circular',
      comment: 'Files that import each other, directly or round a loop, cannot be understood or tested apart.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'ui-no-tensors',
      comment: 'The UI never touches tensors: it asks the engine, which runs the model.',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: '^node_modules/@tensorflow/' },
    },
    {
      name: 'protocol-types-only',
      comment: 'The engine protocol is shared by pages that never load tfjs: from model and tuning it takes types, never code.',
      severity: 'error',
      from: { path: '^src/engine/protocol/' },
      to: { path: ['^src/(model|tuning)/', '^node_modules/@tensorflow/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'model-no-storage-or-dom',
      comment: 'The model runs in the engine, the CLI and tests alike: no IndexedDB, no DOM rendering, no extension APIs.',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^node_modules/(idb|preact|wxt)/' },
    },
    {
      name: 'src-stays-in-src',
      comment: 'Shared code must not reach into the shells (entrypoints/, pwa/) or into tools/ and test/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { pathNot: '^(src|node_modules)/', dependencyTypesNot: ['core'], couldNotResolve: false },
    },
    {
      name: 'tools-not-to-test',
      comment: 'The demo, benches and the e2e tests share the browser harness in tools/harness/; tools never reach into test/.',
      severity: 'error',
      from: { path: '^tools/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file: a typo, or a package missing from package.json.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Without this, imports used only as types vanish before the check and would go unseen.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
