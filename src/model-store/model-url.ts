// Turns what a user types into the base URL of a model folder, e.g.
// https://huggingface.co/org/name            -> https://huggingface.co/org/name/resolve/main/
// https://huggingface.co/org/name/tree/dev   -> https://huggingface.co/org/name/resolve/dev/
// https://example.org/models/tiny/config.json -> https://example.org/models/tiny/
import { InvalidModelUrlError } from './errors';

export interface ModelUrl {
  /** Ends with '/'; file names are appended to it. */
  base: string;
  /** A default display name: org/name on Hugging Face, else the last folder name. */
  suggestedName: string;
}

const HF_HOSTS = new Set(['huggingface.co', 'hf.co']);

export function parseModelUrl(input: string): ModelUrl {
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
