import { spawnSync } from 'node:child_process';

/**
 * Finds a python3 that can import every module in `modules` (peers of the benchmarks, real readers in
 * tests). Debian's `python3-torch`/`python3-numpy` live under /usr/bin/python3, which a pyenv `python3`
 * on PATH may shadow, so that one is tried before PATH. `GOE_PYTHON` overrides both.
 */
export function findPython(modules: readonly string[]): string | undefined {
  const candidates = [process.env.GOE_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (c): c is string => typeof c === 'string' && c.length > 0,
  );
  const probe = modules.map((m) => `import ${m}`).join('; ') || 'pass';
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', probe], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) return python;
  }
  return undefined;
}
