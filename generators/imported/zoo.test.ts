/**
 * Imports into an `s3://` zoo through the Store, against a real S3-protocol server (s3rver) on loopback:
 * the entry's files and manifest land under `<prefix>/<id>/`, an existing id is refused, a failed import
 * writes nothing, and removal deletes every object the manifest names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../runtime/store/index.js';
import { exportTinyGenerators, type TinyGenerators } from '../../test/helpers/onnx-generators.js';
import { type S3rverHandle, startS3rver } from '../../test/helpers/s3rver.js';
import { importModel, readModelSource, readZooManifest, removeZooEntry } from './index.js';

const ZOO = 's3://zoo-bucket/zoo';
let server: S3rverHandle;
let fx: TinyGenerators;
let store: Store;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  fx = await exportTinyGenerators();
  server = await startS3rver({ buckets: ['zoo-bucket'] });
  const env = {
    GOE_S3_ENDPOINT: server.endpoint,
    AWS_REGION: server.region,
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
  };
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  store = openStore(ZOO);
}, 120_000);

afterAll(async () => {
  await store?.close();
  await server?.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('an s3:// zoo', () => {
  it('receives the model file and then the manifest, and refuses the id a second time', async () => {
    const m = await importModel(await readModelSource(fx.mlp), { id: 's3-mlp', license: 'MIT' }, ZOO);
    expect(await store.exists('s3-mlp/mlp.onnx')).toBe(true);
    expect(await store.exists('s3-mlp/manifest.json')).toBe(true);
    expect((await readZooManifest(ZOO, 's3-mlp'))?.weights.digest).toBe(m.weights.digest);
    const puts = server.requests.filter((r) => r.method === 'PUT' && r.url.includes('/zoo/s3-mlp/'));
    expect(puts.at(-1)?.url).toMatch(/manifest\.json/);
    await expect(importModel(await readModelSource(fx.mlp), { id: 's3-mlp' }, ZOO)).rejects.toThrow(
      /already exists/,
    );
  });

  it('writes nothing for a model that fails its test forward pass', async () => {
    await expect(importModel(await readModelSource(fx.nan), { id: 's3-nan' }, ZOO)).rejects.toThrow(
      /non-finite/,
    );
    expect(await store.exists('s3-nan/manifest.json')).toBe(false);
    expect(await store.exists('s3-nan/nan.onnx')).toBe(false);
  });

  it('removes every object of an entry', async () => {
    await removeZooEntry(ZOO, 's3-mlp');
    expect(await store.exists('s3-mlp/manifest.json')).toBe(false);
    expect(await store.exists('s3-mlp/mlp.onnx')).toBe(false);
    await expect(removeZooEntry(ZOO, 's3-mlp')).rejects.toThrow(/no model "s3-mlp"/);
  });
});
