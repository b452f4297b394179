import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { uniformIntRows } from '../../runtime/rng/index.js';
import { encodeIdx } from '../../trainer/datasets/idx.js';

/**
 * A stand-in for the MNIST test set, so no test needs the real one (a fresh clone has nothing beside
 * it): `count` 28×28 images of a bright bar (a crude "1", slanted by class) on black with seeded
 * speckle, labels `i % 10`, written as `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz` in
 * a new temporary folder. Point `GOE_MNIST_DIR` at the returned folder.
 */
export function writeMnistFixture(
  count = 64,
  seed = 7,
): { dir: string; images: Uint8Array; labels: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'goe-mnist-fixture-'));
  const speckle = uniformIntRows(seed, 0, count * 784, 64);
  const images = new Uint8Array(count * 784);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  for (let i = 0; i < count; i++) {
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const p = i * 784 + y * 28 + x;
        const centre = 14 + ((labels[i] - 4.5) * (y - 14)) / 10;
        images[p] = y > 3 && y < 24 && Math.abs(x - centre) < 2 ? 255 : speckle[p];
      }
    }
  }
  writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(encodeIdx(images, [count, 28, 28])));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(encodeIdx(labels, [count])));
  return { dir, images, labels };
}
