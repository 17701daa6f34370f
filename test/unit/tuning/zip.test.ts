// The one-file download: a zip of the PEFT folder that unzips to the same adapter.
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../src/model/model';
import { AdapterFormatError } from '../../../src/tuning/errors';
import { loraMethod } from '../../../src/tuning/methods/lora/method';
import { exportAdapter, importAdapter } from '../../../src/tuning/peft/files';
import { unzipAdapter, zipAdapter } from '../../../src/tuning/peft/zip';
import { adapterContext, inputLogits, loadFixture, maxAbsDiff, perturb, useCpu } from './helpers';

let model: LoadedModel;
beforeAll(async () => {
  await useCpu();
  model = await loadFixture('tiny-gpt2');
});
afterAll(() => model.dispose());

describe('zipAdapter / unzipAdapter', () => {
  it('round-trips the PEFT files byte for byte and the adapter logit for logit', async () => {
    const adapter = loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4 }, adapterContext(model));
    perturb(adapter, 2);
    const files = await exportAdapter(adapter);
    const unzipped = unzipAdapter(zipAdapter(files));
    for (const [name, bytes] of files) expect(unzipped.get(name)).toEqual(bytes);
    const loaded = importAdapter(unzipped, adapterContext(model));
    const ids = [[3, 1, 4, 1, 5, 9, 2, 6]];
    expect(maxAbsDiff(inputLogits(model, adapter, ids), inputLogits(model, loaded, ids))).toBe(0);
    // A zip of the folder itself (my-adapter/adapter_config.json ...) is accepted too.
    const nested = zipSync(Object.fromEntries([...files].map(([name, bytes]) => [`my-adapter/${name}`, bytes])));
    expect([...unzipAdapter(nested).keys()].sort()).toEqual([...files.keys()].sort());
    adapter.dispose();
    loaded.dispose();
  });

  it('refuses something that is not a zip, and a zip without the adapter files', () => {
    expect(() => unzipAdapter(new TextEncoder().encode('not a zip'))).toThrow(AdapterFormatError);
    const empty = unzipAdapter(zipSync({ 'readme.txt': new TextEncoder().encode('hi') }));
    expect(() => importAdapter(empty, adapterContext(model))).toThrow(/adapter_config.json is missing/);
  });
});
