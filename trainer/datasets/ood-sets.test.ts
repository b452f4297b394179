import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, encodePng } from '../../runtime/codecs/index.js';
import { writeMnistFixture } from '../../test/helpers/mnist-fixture.js';
import { naturalOutliers } from './natural.js';
import { gaussianNoise, uniformNoise } from './noise.js';
import { NATURAL_TEST_START, OOD_TEST_SEED, parseOodList, resolveOodSet } from './ood-sets.js';

const dir = mkdtempSync(join(tmpdir(), 'goe-ood-'));
const npy = join(dir, 'mine.npy');
writeFileSync(npy, encodeNpy(new Uint8Array(5 * 784).fill(9), [5, 28, 28]));

describe('parseOodList', () => {
  it('splits, trims and de-duplicates names and paths', () => {
    expect(parseOodList(`mnist, gaussian,${npy},uniform,mnist`)).toEqual([
      'mnist',
      'gaussian',
      npy,
      'uniform',
    ]);
    expect(parseOodList('natural')).toEqual(['natural']);
  });

  it('rejects an unknown name before anything loads', () => {
    expect(() => parseOodList('mnist,gausian')).toThrow(
      "unknown OOD set 'gausian': use mnist, fashion-mnist, gaussian, uniform, natural or the path of an image folder (PNG/JPEG), .npy file or IDX file",
    );
  });

  it('rejects empty entries', () => {
    expect(() => parseOodList('mnist,,uniform')).toThrow(/empty entry/);
    expect(() => parseOodList('')).toThrow(/empty entry/);
  });
});

describe('resolveOodSet', () => {
  it('draws noise sets with the fixed test seed and 10000 images by default', () => {
    const u = resolveOodSet('uniform');
    expect(u.shape).toEqual([10000, 28, 28, 1]);
    expect(u.images.subarray(0, 3 * 784)).toEqual(uniformNoise(3, OOD_TEST_SEED).images);
    expect(resolveOodSet('gaussian', { count: 4 }).images).toEqual(gaussianNoise(4, OOD_TEST_SEED).images);
    expect(resolveOodSet('gaussian', { count: 4, seed: 1 }).images).toEqual(gaussianNoise(4, 1).images);
  });

  it('crops natural photos past the training indices', () => {
    const photos = mkdtempSync(join(tmpdir(), 'goe-ood-photos-'));
    const grey = Uint8Array.from({ length: 64 * 80 }, (_, i) => (i * 13) % 256);
    writeFileSync(join(photos, 'p.png'), encodePng(grey, 64, 80, 1));
    process.env.GOE_NATURAL_DIR = photos;
    try {
      const s = resolveOodSet('natural', { count: 3 });
      expect(s.shape).toEqual([3, 28, 28, 1]);
      const expected = naturalOutliers(3, OOD_TEST_SEED, { dir: photos, start: NATURAL_TEST_START });
      expect(s.images).toEqual(expected.images);
      expect(s.images).not.toEqual(naturalOutliers(3, OOD_TEST_SEED, { dir: photos }).images);
    } finally {
      delete process.env.GOE_NATURAL_DIR;
    }
  });

  it('loads MNIST and user paths', () => {
    const mnist = writeMnistFixture(12);
    process.env.GOE_MNIST_DIR = mnist.dir;
    try {
      expect(resolveOodSet('mnist').shape).toEqual([12, 28, 28, 1]);
    } finally {
      delete process.env.GOE_MNIST_DIR;
      rmSync(mnist.dir, { recursive: true, force: true });
    }
    const mine = resolveOodSet(npy, { count: 2 }); // count applies to generated sets only
    expect(mine.name).toBe('mine.npy');
    expect(mine.shape).toEqual([5, 28, 28, 1]);
  });

  it('rejects a name that is neither built in nor a path', () => {
    expect(() => resolveOodSet('svhn')).toThrow(/unknown OOD set 'svhn'/);
  });
});
