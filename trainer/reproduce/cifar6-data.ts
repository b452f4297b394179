/**
 * The data of `goe reproduce cifar6`, laid out as ImageFolder trees of symbolic links into a CIFAR-10
 * ImageFolder (`train/<class>/*.jpg`, `test/<class>/*.jpg`), so every step reads it through the one
 * loader a team's own data goes through (`--data PATH`, `--ood PATH`): no copy of the pixels, and the
 * manifests record the subset folder that was read.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DatasetError } from '../datasets/errors.js';
import { isIgnoredEntry } from '../datasets/sources/image-source.js';

/** The open-set task: in-distribution classes and the held-out (OOD) ones. */
export const CIFAR6_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog'] as const;
export const CIFAR4_OOD_CLASSES = ['frog', 'horse', 'ship', 'truck'] as const;

/** How much of CIFAR-10 a run reads (per class; the first files by name, which CIFAR numbers at random). */
export interface Cifar6Sizes {
  trainPerClass: number;
  testPerClass: number;
  /** Test images per OOD class (the 4 held-out classes). */
  oodPerClass: number;
}

/** Where the prepared trees are: the 6-class ImageFolder (train/ + test/) and the OOD folder. */
export interface Cifar6Data {
  inDistribution: string;
  ood: string;
}

function imageFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetError(
      'not_found',
      `${dir} is missing: --data must be CIFAR-10 as an ImageFolder (train/<class>/, test/<class>/)`,
      { path: dir },
    );
  }
  return readdirSync(dir)
    .filter((n) => !isIgnoredEntry(n) && /\.(png|jpe?g)$/i.test(n))
    .sort();
}

async function linkFirst(from: string, to: string, n: number): Promise<void> {
  const files = imageFiles(from).slice(0, n);
  if (files.length < n) {
    throw new DatasetError('empty', `${from} holds ${files.length} images, the run needs ${n}`, {
      path: from,
    });
  }
  await mkdir(to, { recursive: true });
  for (const f of files) await symlink(join(from, f), join(to, f));
}

/**
 * Builds `dir/cifar6/{train,test}/<class>/` and `dir/cifar4-ood/<class>/` from the CIFAR-10 ImageFolder
 * at `cifar10` (OOD images from its test part only). Rebuilt from scratch each time (links are cheap)
 * so a changed size never mixes with an old one; file mtimes are the targets', so the decoded-tensor
 * cache still hits.
 *
 * @throws {DatasetError} `not_found` naming a missing class folder, `empty` when one has too few images
 */
export async function prepareCifar6(cifar10: string, dir: string, s: Cifar6Sizes): Promise<Cifar6Data> {
  const src = resolve(cifar10);
  const id = join(resolve(dir), 'cifar6');
  const ood = join(resolve(dir), 'cifar4-ood');
  await rm(id, { recursive: true, force: true });
  await rm(ood, { recursive: true, force: true });
  for (const c of CIFAR6_CLASSES) {
    await linkFirst(join(src, 'train', c), join(id, 'train', c), s.trainPerClass);
    await linkFirst(join(src, 'test', c), join(id, 'test', c), s.testPerClass);
  }
  for (const c of CIFAR4_OOD_CLASSES) await linkFirst(join(src, 'test', c), join(ood, c), s.oodPerClass);
  return { inDistribution: id, ood };
}
