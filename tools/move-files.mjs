// Moves source files and rewrites every relative import that points at them (and every relative
// import inside them), so a folder reorganisation is one reviewed mapping instead of hand edits.
// Usage: node tools/move-files.mjs mapping.txt   (lines "old/path.ts new/path.ts"; # comments)
// Uses `git mv`, so history follows the files. Specifiers keep their style: with or without the
// extension, as written.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = process.cwd();
const mappingFile = process.argv[2];
if (!mappingFile) {
  console.error('usage: node tools/move-files.mjs mapping.txt');
  process.exit(2);
}

const moves = new Map();
for (const [index, raw] of readFileSync(mappingFile, 'utf8').split('\n').entries()) {
  const line = raw.replace(/#.*/, '').trim();
  if (!line) continue;
  const [from, to, extra] = line.split(/\s+/);
  if (!to || extra) throw new Error(`${mappingFile}:${index + 1}: expected "old new"`);
  if (!existsSync(from)) throw new Error(`${mappingFile}:${index + 1}: ${from} does not exist`);
  moves.set(path.normalize(from), path.normalize(to));
}

const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(f) && existsSync(f));

const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.js', '.mjs', '/index.ts', '/index.tsx'];

/** The file a relative specifier written in `fromFile` points at, or null. */
function resolve(fromFile, specifier) {
  const base = path.normalize(path.join(path.dirname(fromFile), specifier));
  for (const ext of EXTENSIONS) {
    const candidate = base + ext;
    if (existsSync(candidate) && !candidate.endsWith('/') && files.includes(candidate)) return { target: candidate, ext };
  }
  return null;
}

function specifierFor(fromFile, target, ext) {
  let rel = path.relative(path.dirname(fromFile), target);
  if (ext && ext !== '' && !ext.startsWith('/')) rel = rel.slice(0, -ext.length);
  if (ext.startsWith('/')) rel = path.dirname(rel) === '.' ? rel : rel.slice(0, -ext.length);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel;
}

// Matches `from '...'`, `import('...')`, `import '...'`, `vi.mock('...')`, `require('...')`.
const SPECIFIER = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\bvi\.(?:mock|importActual|doMock)\s*\(\s*|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)\2/g;

const rewritten = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const newFile = moves.get(file) ?? file;
  const next = text.replace(SPECIFIER, (whole, lead, quote, specifier) => {
    const found = resolve(file, specifier);
    if (!found) return whole;
    const target = moves.get(found.target) ?? found.target;
    if (target === found.target && newFile === file) return whole;
    return `${lead}${quote}${specifierFor(newFile, target, found.ext)}${quote}`;
  });
  if (next !== text) rewritten.set(file, next);
}

for (const [from, to] of moves) {
  execFileSync('mkdir', ['-p', path.dirname(to)]);
  execFileSync('git', ['mv', from, to]);
}
for (const [file, text] of rewritten) writeFileSync(path.join(root, moves.get(file) ?? file), text);
console.log(`moved ${moves.size} files, rewrote imports in ${rewritten.size}`);
