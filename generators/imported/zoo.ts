import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openStore } from '../../runtime/store/index.js';
import type { GeneratorManifest } from '../manifest.js';
import { checkModelId } from './id.js';

/** One file of a zoo entry, relative to its folder. */
export interface ZooFile {
  path: string;
  bytes: Uint8Array;
}

const isS3 = (zoo: string) => zoo.startsWith('s3://');

/**
 * Writes a generator into the zoo as `<zoo>/<id>/`: its files, then `manifest.json`. A local zoo gets
 * the whole folder at once (written beside it under a dot-name, which listings skip, then renamed), so
 * a reader sees the old entry or the new one, never half of one. An `s3://bucket/prefix` zoo (through
 * the Store) gets the manifest last, since a folder without one is not listed, and loses every object
 * written when a write fails.
 * @throws when `id` exists and `replace` is not set, or a write fails (nothing is left behind)
 */
export async function writeZooEntry(
  zoo: string,
  manifest: GeneratorManifest,
  files: readonly ZooFile[],
  replace = false,
): Promise<void> {
  checkModelId(manifest.id);
  const all = [
    ...files,
    { path: 'manifest.json', bytes: new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`) },
  ];
  if (isS3(zoo)) {
    const store = openStore(zoo);
    try {
      if (!replace && (await store.exists(`${manifest.id}/manifest.json`))) throw exists(manifest.id, zoo);
      const written: string[] = [];
      try {
        for (const f of all) {
          await store.put(`${manifest.id}/${f.path}`, f.bytes);
          written.push(`${manifest.id}/${f.path}`);
        }
      } catch (err) {
        for (const key of written) await store.delete(key).catch(() => undefined);
        throw err;
      }
    } finally {
      await store.close();
    }
    return;
  }
  const target = join(zoo, manifest.id);
  if (!replace && existsSync(target)) throw exists(manifest.id, zoo);
  await mkdir(zoo, { recursive: true });
  const tmp = await mkdtemp(join(zoo, `.import-${manifest.id}-`));
  try {
    for (const f of all) {
      await mkdir(dirname(join(tmp, f.path)), { recursive: true });
      await writeFile(join(tmp, f.path), f.bytes);
    }
    if (existsSync(target)) {
      const old = `${tmp}.old`;
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Removes generator `id` from the zoo (a local folder, or every object under `<id>/` of an S3 zoo that its
 * manifest names). @throws when the zoo has no such entry
 */
export async function removeZooEntry(zoo: string, id: string): Promise<void> {
  checkModelId(id);
  if (isS3(zoo)) {
    const store = openStore(zoo);
    try {
      const key = `${id}/manifest.json`;
      if (!(await store.exists(key))) throw new Error(`no model "${id}" in ${zoo}`);
      const m = JSON.parse(new TextDecoder().decode(await store.get(key))) as {
        files?: { path: string }[];
        weights?: { file: string };
      };
      // The manifest goes first: once it is gone the entry is no longer listed, whatever happens next.
      await store.delete(key);
      const paths = new Set([...(m.files ?? []).map((f) => f.path), ...(m.weights ? [m.weights.file] : [])]);
      for (const p of paths) await store.delete(`${id}/${p}`).catch(() => undefined);
    } finally {
      await store.close();
    }
    return;
  }
  const target = join(zoo, id);
  if (!existsSync(join(target, 'manifest.json'))) throw new Error(`no model "${id}" in ${zoo}`);
  // Renamed away first, so the entry disappears at once even if deleting its files takes a while.
  const gone = join(zoo, `.remove-${id}-${process.pid}-${Date.now()}`);
  await rename(target, gone);
  await rm(gone, { recursive: true, force: true });
}

/** The manifest of entry `id` as JSON text, or undefined (used to refuse replacing goe's own models). */
export async function readZooManifest(zoo: string, id: string): Promise<GeneratorManifest | undefined> {
  if (isS3(zoo)) {
    const store = openStore(zoo);
    try {
      const key = `${id}/manifest.json`;
      if (!(await store.exists(key))) return undefined;
      return JSON.parse(new TextDecoder().decode(await store.get(key))) as GeneratorManifest;
    } finally {
      await store.close();
    }
  }
  const path = join(zoo, id, 'manifest.json');
  return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as GeneratorManifest) : undefined;
}

function exists(id: string, zoo: string): Error {
  return new Error(`model "${id}" already exists in ${zoo} (pass --replace to overwrite it)`);
}
