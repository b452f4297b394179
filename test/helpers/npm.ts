/**
 * Installing packed tarballs into a throw-away project with no network, from the npm cache that the
 * repository's `npm ci` filled. `npm install --offline <tarball>` cannot do it: resolving a range
 * (`openapi-fetch@^0.17.0`) needs the registry's full packument, which `npm ci` never caches. `npm ci`
 * with a lockfile can: it fetches each package by its integrity, which the cache holds. So the
 * project's lockfile is cut out of the repository's own (the same versions the suite ran against).
 */
import { readFileSync } from 'node:fs';

/** One `packages` entry of a v3 lockfile (the fields `npm ci` reads). */
interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  license?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** A packed tarball to install: its path and the `integrity` that `npm pack --json` reported. */
export interface Tarball {
  name: string;
  version: string;
  path: string;
  integrity: string;
  dependencies: Record<string, string>;
}

/**
 * A `package.json` and `package-lock.json` (as objects) for a project that depends on `tarballs` and on
 * the registry packages `extra` (names), every registry package pinned to the version and integrity in
 * `repoLockfile`, with the dependencies of each resolved the way Node would from that lockfile's tree.
 * Throws when a needed package is not in the repository's lockfile (it would not be in the cache).
 */
export function offlineProject(
  repoLockfile: string,
  tarballs: readonly Tarball[],
  extra: readonly string[] = [],
): { packageJson: object; lockfile: object } {
  const repo = (JSON.parse(readFileSync(repoLockfile, 'utf8')) as { packages: Record<string, LockEntry> })
    .packages;
  const packages: Record<string, LockEntry> = {};
  const find = (name: string, from: string): string | undefined => {
    // Node's lookup: <from>/node_modules/<name>, then each enclosing node_modules, up to the top.
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
      const path = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
      if (repo[path]) return path;
      if (!dir) return undefined;
    }
  };
  const add = (name: string, from: string, optional: boolean) => {
    const path = find(name, from);
    if (path === undefined) {
      if (optional) return;
      throw new Error(`${name} (needed by ${from || 'the project'}) is not in ${repoLockfile}`);
    }
    if (packages[path]) return;
    const { version, resolved, integrity, license, dependencies, optionalDependencies } = repo[path];
    packages[path] = { version, resolved, integrity, license, dependencies, optionalDependencies };
    for (const dep of Object.keys(dependencies ?? {})) add(dep, path, false);
    for (const dep of Object.keys(optionalDependencies ?? {})) add(dep, path, true);
  };
  const dependencies: Record<string, string> = {};
  for (const t of tarballs) {
    dependencies[t.name] = `file:${t.path}`;
    packages[`node_modules/${t.name}`] = {
      version: t.version,
      resolved: `file:${t.path}`,
      integrity: t.integrity,
      dependencies: t.dependencies,
    };
    for (const dep of Object.keys(t.dependencies)) add(dep, `node_modules/${t.name}`, false);
  }
  for (const name of extra) {
    add(name, '', false);
    dependencies[name] = repo[`node_modules/${name}`].version!;
  }
  const packageJson = { name: 'goe-sdk-consumer', private: true, type: 'module', dependencies };
  return {
    packageJson,
    lockfile: {
      name: packageJson.name,
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: packageJson.name, dependencies }, ...packages },
    },
  };
}
