import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CganConfig, defaultCganConfig, exportCgan, initGenerator } from '../../generators/cgan/index.js';
import { initBackend } from '../../runtime/backend/index.js';

/** Fashion-MNIST's class names, in label order. */
export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** A throwaway zoo holding one randomly initialised generator. */
export interface TestZoo {
  dir: string;
  id: string;
  config: CganConfig;
  remove(): Promise<void>;
}

/**
 * Writes a randomly initialised cGAN (seeded, so its weights are the same every run on a backend) into
 * a temp zoo. `small` shrinks the network so tests spend their time on the service, not the forward pass.
 */
export async function makeTestZoo(
  options: { id?: string; small?: boolean; config?: Partial<CganConfig> } = {},
): Promise<TestZoo> {
  await initBackend();
  const dir = await mkdtemp(join(tmpdir(), 'goe-zoo-'));
  const id = options.id ?? 'test-cgan';
  const config: CganConfig = {
    ...defaultCganConfig,
    ...(options.small === false ? {} : { latentDim: 16, gWidth: 4 }),
    ...options.config,
  };
  const vars = initGenerator(config, 1);
  await exportCgan(join(dir, id), vars, config, {
    id,
    classes: FASHION_CLASSES.slice(0, config.numClasses),
    provenance: { data: 'none (random init)', command: 'makeTestZoo', steps: 0, seed: 1, createdAt: '2026-01-01T00:00:00Z' },
  });
  for (const v of Object.values(vars)) v.dispose();
  return { dir, id, config, remove: () => rm(dir, { recursive: true, force: true }) };
}
