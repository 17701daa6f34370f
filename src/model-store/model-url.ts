// Turns what a user types into the base URL of a model folder, e.g.
// https://huggingface.co/org/name            -> https://huggingface.co/org/name/resolve/main/
// https://huggingface.co/org/name/tree/dev   -> https://huggingface.co/org/name/resolve/dev/
// https://example.org/models/tiny/config.json -> https://example.org/models/tiny/
// A .gguf file (llama.cpp's single-file format) is downloaded as itself: parseGgufUrl.
import { InvalidModelUrlError } from './errors';

export interface ModelUrl {
  /** Ends with '/'; file names are appended to it. */
  base: string;
  /** A default display name: org/name on Hugging Face, else the last folder name. */
  suggestedName: string;
}

const HF_HOSTS = new Set(['huggingface.co', 'hf.co']);

function httpUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new InvalidModelUrlError(input, 'not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InvalidModelUrlError(input, 'only http(s) addresses can be downloaded');
  url.search = '';
  url.hash = '';
  return url;
}

export function parseModelUrl(input: string): ModelUrl {
  const url = httpUrl(input);
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.at(-1)?.includes('.')) segments.pop(); // a file inside the folder was pasted
  if (HF_HOSTS.has(url.hostname)) return huggingFaceUrl(url, segments, input);
  if (segments.length === 0) throw new InvalidModelUrlError(input, 'the address has no folder path');
  url.pathname = `/${segments.join('/')}/`;
  return { base: url.href, suggestedName: segments.at(-1)! };
}

function huggingFaceUrl(url: URL, segments: string[], input: string): ModelUrl {
  const [org, name, kind, revision, ...rest] = segments;
  if (!org || !name) throw new InvalidModelUrlError(input, 'a Hugging Face address needs <org>/<name>');
  // tree/ and blob/ are HTML pages; resolve/ serves the raw files.
  const branch = kind && ['resolve', 'tree', 'blob'].includes(kind) && revision ? revision : 'main';
  const subfolder = kind && ['resolve', 'tree', 'blob'].includes(kind) ? rest : [];
  url.hostname = 'huggingface.co';
  url.pathname = `/${[org, name, 'resolve', branch, ...subfolder].join('/')}/`;
  return { base: url.href, suggestedName: `${org}/${name}` };
}

/** One .gguf file to download and convert (src/model-store/gguf-download.ts). */
export interface GgufUrl {
  url: string;
  fileName: string;
  /** The file name without .gguf. */
  suggestedName: string;
}

/** The address of a .gguf file, or null when the input names a model folder instead. */
export function parseGgufUrl(input: string): GgufUrl | null {
  const url = httpUrl(input);
  const segments = url.pathname.split('/').filter(Boolean);
  const fileName = decodeURIComponent(segments.at(-1) ?? '');
  if (!fileName.toLowerCase().endsWith('.gguf')) return null;
  // Hugging Face's blob/ is the file's HTML page; resolve/ serves its bytes.
  if (HF_HOSTS.has(url.hostname) && segments[2] === 'blob') {
    segments[2] = 'resolve';
    url.hostname = 'huggingface.co';
    url.pathname = `/${segments.join('/')}`;
  }
  return { url: url.href, fileName, suggestedName: fileName.replace(/\.gguf$/i, '') };
}

/** What to fetch first to learn whether the browser may read from the model's server. */
export function downloadProbeUrl(input: string): string {
  return parseGgufUrl(input)?.url ?? `${parseModelUrl(input).base}config.json`;
}
