import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CganConfig,
  defaultCganConfig,
  exportCgan,
  initGenerator,
} from '../../generators/cgan/index.js';
import { FASHION_MNIST_CLASSES } from '../../trainer/datasets/index.js';

/**
 * A temporary zoo holding `id` (default `fashion-mnist-cgan`) as a small, randomly initialised generator, so tests do not
 * depend on the trained one (point `GOE_ZOO` at `dir`). Its manifest is real; its samples are noise.
 */
export async function tempZoo(
  config: Partial<CganConfig> = { gWidth: 8, dWidth: 8 },
  id = 'fashion-mnist-cgan',
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'goe-zoo-'));
  const c = { ...defaultCganConfig, ...config };
  const vars = initGenerator(c, 1);
  await exportCgan(join(dir, id), vars, c, {
    id,
    classes: [...FASHION_MNIST_CLASSES],
    provenance: {
      data: 'none (random init, tests)',
      command: 'test/helpers/zoo.ts',
      steps: 0,
      seed: 1,
      createdAt: new Date(0).toISOString(),
    },
  });
  for (const v of Object.values(vars)) v.dispose();
  return dir;
}
