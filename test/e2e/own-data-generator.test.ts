import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../api/entries/node.js';
import type { CganManifest } from '../../generators/manifest.js';
import { initBackend } from '../../runtime/backend/index.js';
import { decodeNdjson, decodeNpy, decodePng, decodeSafetensors } from '../../runtime/codecs/index.js';
import { openStore, type Store } from '../../runtime/store/index.js';
import { writeImageFolder } from '../../trainer/datasets/sources/fixtures.js';
import { runGoe } from '../helpers/cli.js';

/**
 * A team's own RGB images through the generator half of the pipeline: `goe train-generator --data PATH`
 * (a tiny 16×16×3 ImageFolder), its manifest, `goe sample`, and a real `goe serve` socket serving the RGB
 * generator in every image format exactly as it serves the grey one.
 */

const ID = 'pets-cgan';
let dir: string;
let zoo: string;
let data: string;
let manifest: CganManifest;
let server: RunningServer;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'goe-own-gen-'));
  zoo = join(dir, 'zoo');
  data = writeImageFolder(join(dir, 'pets'), ['cat', 'dog', 'hamster'], 6, 16);
  const env = { GOE_CACHE_DIR: join(dir, 'cache') };
  const run = await runGoe(
    [
      'train-generator',
      '--data',
      data,
      '--out',
      join(zoo, ID),
      '--steps',
      '3',
      '--batch',
      '4',
      '--width',
      '4',
      '--checkpoint-every',
      '2',
    ],
    env,
  );
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toContain('data: 3 classes, 15 train / 3 test rows of 16×16×3');
  manifest = JSON.parse(await readFile(join(zoo, ID, 'manifest.json'), 'utf8'));
  await initBackend();
  store = openStore(`file://${join(dir, 'store')}`);
  server = await startServer({
    zoo,
    store,
    port: 0,
    log: () => {},
    backend: async () => (await initBackend()).choice,
  });
}, 120_000);
afterAll(async () => {
  await server?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a cGAN of your own RGB images', () => {
  it('records row shape, classes, stages and the data digest `goe data inspect` prints', async () => {
    expect(manifest).toMatchObject({
      id: ID,
      kind: 'cgan',
      shape: [16, 16, 3],
      classes: ['cat', 'dog', 'hamster'],
      config: { height: 16, width: 16, channels: 3, stages: 2, numClasses: 3, gWidth: 4 },
      dataSource: { path: data, format: 'image-folder', split: 'seeded', trainRows: 15, testRows: 3 },
    });
    expect(manifest.provenance.command).toContain(`--data ${data}`);
    const inspect = await runGoe(['data', 'inspect', data, '--json'], { GOE_CACHE_DIR: join(dir, 'cache') });
    expect(manifest.dataSource!.digest).toBe(JSON.parse(inspect.stdout).digest);
    const grid = decodePng(new Uint8Array(await readFile(join(zoo, ID, 'samples.png'))));
    expect(grid.channels).toBe(3);
  });

  it('`goe sample` writes N×16×16×3 rows and a colour grid', async () => {
    const npy = join(dir, 's.npy');
    const png = join(dir, 's.png');
    const model = join(zoo, ID);
    expect(
      (await runGoe(['sample', '--model', model, '--count', '5', '--sigma2', '1', '--out', npy])).code,
    ).toBe(0);
    expect((await runGoe(['sample', '--model', model, '--count', '6', '--out', png])).code).toBe(0);
    const arr = decodeNpy(new Uint8Array(await readFile(npy)));
    expect(arr).toMatchObject({ dtype: 'uint8', shape: [5, 16, 16, 3] });
    const img = decodePng(new Uint8Array(await readFile(png)));
    // A random-init generator's colour channels differ somewhere: the grid is not grey.
    let coloured = 0;
    for (let i = 0; i < img.pixels.length; i += 3) if (img.pixels[i] !== img.pixels[i + 1]) coloured++;
    expect(coloured).toBeGreaterThan(0);
  });

  it('serves npy, safetensors, NDJSON and PNG rows of the manifest’s shape over a real socket', async () => {
    const url = (format: string) =>
      `${server.url}/outliers?model=${ID}&count=4&seed=9&sigma2=2&classes=dog,hamster&format=${format}`;
    const get = async (format: string) => {
      const res = await fetch(url(format));
      expect(res.status, format).toBe(200);
      return { res, body: new Uint8Array(await res.arrayBuffer()) };
    };
    const npy = await get('npy');
    expect(npy.res.headers.get('content-type')).toContain('application/x-npy');
    const rows = decodeNpy(npy.body);
    expect(rows).toMatchObject({ dtype: 'uint8', shape: [4, 16, 16, 3] });

    const st = decodeSafetensors((await get('safetensors')).body);
    expect(st.tensors.images.shape).toEqual([4, 16, 16, 3]);
    expect(st.tensors.images.data).toEqual(rows.data);
    expect([...st.tensors.classes.data].every((k) => k === 1 || k === 2)).toBe(true);

    const lines = decodeNdjson<{ shape: number[]; label: string; data: string }>((await get('ndjson')).body);
    expect(lines).toHaveLength(4);
    expect(lines[0].shape).toEqual([16, 16, 3]);
    expect(['dog', 'hamster']).toContain(lines[0].label);
    expect(new Uint8Array(Buffer.from(lines[0].data, 'base64'))).toEqual(rows.data.subarray(0, 768));

    const png = decodePng((await get('png')).body);
    expect(png.channels).toBe(3);

    const model = await (await fetch(`${server.url}/models/${ID}`)).json();
    expect(model).toMatchObject({ id: ID, shape: [16, 16, 3], classes: ['cat', 'dog', 'hamster'] });
  });
});
