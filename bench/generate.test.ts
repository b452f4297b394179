import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate, loadCgan } from '../generators/cgan/index.js';
import { resolveModelDir } from '../generators/registry.js';
import { initBackend } from '../runtime/backend/index.js';
import { normalRows } from '../runtime/rng/index.js';
import * as tf from '../runtime/tf.js';
import { runPythonJson } from '../test/helpers/python.js';

/** A speed ratio means something only if the peer computes the same function: check it does. */

beforeAll(async () => {
  await initBackend('wasm');
});

describe('the PyTorch peer of `goe bench generate`', () => {
  it('computes the zoo generator’s function (same weights, same outputs)', async () => {
    const dir = resolveModelDir('fashion-mnist-cgan');
    const gen = await loadCgan(dir);
    const n = 4;
    const z = Array.from(normalRows(3, 0, n, gen.config.latentDim, 4));
    const y = Array.from({ length: n * gen.config.numClasses }, (_, i) =>
      i % gen.config.numClasses === (Math.floor(i / gen.config.numClasses) * 3) % gen.config.numClasses
        ? 1
        : 0,
    );
    const ours = tf.tidy(() =>
      Array.from(
        generate(
          gen.vars,
          gen.config,
          tf.tensor2d(z, [n, gen.config.latentDim]),
          tf.tensor2d(y, [n, gen.config.numClasses]),
          false,
        ).dataSync(),
      ),
    );
    const input = join(tmpdir(), `goe-peer-check-${process.pid}.json`);
    const zRows = Array.from({ length: n }, (_, i) =>
      z.slice(i * gen.config.latentDim, (i + 1) * gen.config.latentDim),
    );
    const yRows = Array.from({ length: n }, (_, i) =>
      y.slice(i * gen.config.numClasses, (i + 1) * gen.config.numClasses),
    );
    await writeFile(input, JSON.stringify({ z: zRows, y: yRows }));
    const script = fileURLToPath(new URL('./peer/generate.py', import.meta.url));
    const peer = runPythonJson<{ x: number[] }>(
      ['torch', 'numpy'],
      `import runpy, sys\nsys.argv = [sys.argv[1]] + sys.argv[2:]\nrunpy.run_path(sys.argv[0], run_name="__main__")`,
      [
        script,
        '--weights',
        join(dir, gen.manifest.weights.file),
        '--config',
        JSON.stringify(gen.config),
        '--check',
        input,
        '--threads',
        '1',
      ],
    );
    gen.dispose();
    expect(peer.x).toHaveLength(ours.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - peer.x[i]));
    expect(worst).toBeLessThan(1e-4);
  });
});
