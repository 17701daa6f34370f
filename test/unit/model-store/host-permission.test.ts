// Host permission is asked only when the server refuses cross-origin reads. The browser's prompt
// cannot be driven in headless Chromium, so the permissions API is a recording stand-in here.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { HostPermissionDeniedError } from '../../../src/model-store/errors';
import {
  ensureDownloadAccess,
  originPattern,
  type PermissionsApi,
} from '../../../src/model-store/host-permission';
import { startModelServer, type ModelServer } from './model-server';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer();
});
afterAll(() => server.close());

function permissions(answer: boolean, alreadyGranted = false) {
  const requested: string[][] = [];
  const api: PermissionsApi = {
    contains: async () => alreadyGranted,
    request: async ({ origins }) => {
      requested.push(origins);
      return answer;
    },
  };
  return { api, requested };
}

const refusedByCors: typeof fetch = async () => {
  throw new TypeError('Failed to fetch');
};

test('the pattern covers exactly the origin host', () => {
  expect(originPattern('https://huggingface.co/org/name/resolve/main/config.json')).toBe(
    'https://huggingface.co/*',
  );
});

test('a server that answers cross-origin (like Hugging Face) needs no permission', async () => {
  const { api, requested } = permissions(false);
  const access = await ensureDownloadAccess(`${server.folderUrl('tiny-gpt2')}config.json`, {
    permissions: api,
    fetch,
  });
  expect(access).toBe('cors');
  expect(requested).toEqual([]);
});

test('an already granted origin is not probed or asked again', async () => {
  const { api, requested } = permissions(false, true);
  expect(
    await ensureDownloadAccess('https://models.example/tiny/config.json', {
      permissions: api,
      fetch: refusedByCors,
    }),
  ).toBe('granted');
  expect(requested).toEqual([]);
});

test('a CORS refusal asks for that one origin; allowing lets the download go on', async () => {
  const { api, requested } = permissions(true);
  expect(
    await ensureDownloadAccess('https://models.example/tiny/config.json', {
      permissions: api,
      fetch: refusedByCors,
    }),
  ).toBe('requested');
  expect(requested).toEqual([['https://models.example/*']]);
});

test('declining is a clear error, and the next attempt asks before probing', async () => {
  const declined = permissions(false);
  await expect(
    ensureDownloadAccess('https://private.example/m/config.json', {
      permissions: declined.api,
      fetch: refusedByCors,
    }),
  ).rejects.toThrow(HostPermissionDeniedError);
  let probed = false;
  const countingFetch: typeof fetch = async () => {
    probed = true;
    throw new TypeError('Failed to fetch');
  };
  const allowed = permissions(true);
  await ensureDownloadAccess('https://private.example/m/config.json', {
    permissions: allowed.api,
    fetch: countingFetch,
  });
  expect(probed).toBe(false);
  expect(allowed.requested).toEqual([['https://private.example/*']]);
});
