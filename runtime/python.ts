/**
 * Finds a python3 for the benchmark peers (PyTorch) and for tests that check goe's output with a real
 * reader (NumPy, scikit-learn). Debian's `python3-torch`/`python3-numpy` live under /usr/bin/python3,
 * which a pyenv `python3` on PATH may shadow, so that one is tried before PATH; `GOE_PYTHON` beats both.
 */
import { execFileSync } from 'node:child_process';
import { goeEnv } from './config.js';

// Debian package for each module, for error messages; others are guessed as python3-<module>.
const APT_PACKAGES: Readonly<Record<string, string>> = {
  numpy: 'python3-numpy',
  torch: 'python3-torch',
  sklearn: 'python3-sklearn',
  scipy: 'python3-scipy',
  PIL: 'python3-pil',
};

const cache = new Map<string, { python?: string; tried: string[] }>();

function probe(modules: readonly string[]): { python?: string; tried: string[] } {
  const key = [...modules].sort().join(',');
  const hit = cache.get(key);
  if (hit) return hit;
  for (const name of modules) {
    if (!/^[A-Za-z_][\w.]*$/.test(name))
      throw new Error(`findPython: ${JSON.stringify(name)} is not a module name`);
  }
  const candidates = [goeEnv('GOE_PYTHON'), '/usr/bin/python3', 'python3'].filter(
    (c): c is string => c !== undefined && c !== '',
  );
  const tried: string[] = [];
  let python: string | undefined;
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ['-c', modules.map((m) => `import ${m}`).join('; ') || 'pass'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 60_000,
      });
      python = candidate;
      break;
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n').at(-1);
      tried.push(`${candidate}: ${stderr || (error as Error).message}`);
    }
  }
  const result = { python, tried };
  cache.set(key, result);
  return result;
}

/** The path of a python3 that can import every module in `modules`, or `undefined`. */
export function findPython(modules: readonly string[]): string | undefined {
  return probe(modules).python;
}

/** Like {@link findPython}, but throws naming the apt packages to install when no python3 has the modules. */
export function requirePython(modules: readonly string[]): string {
  const { python, tried } = probe(modules);
  if (python) return python;
  const packages = [
    ...new Set(modules.map((m) => APT_PACKAGES[m.split('.')[0]] ?? `python3-${m.split('.')[0]}`)),
  ];
  throw new Error(
    `no python3 can import ${modules.join(', ')} (tried ${tried.join('; ')}). ` +
      `Install it with \`apt-get install -y ${packages.join(' ')}\`, or point GOE_PYTHON at an interpreter that has it.`,
  );
}
