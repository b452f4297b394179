/**
 * Python for tests that check goe's output with a real reader (NumPy, scikit-learn). Such tests must
 * fail, not skip, when the reader is missing, so a green run always means the check ran: `findPython`
 * here throws with the Debian package to install (add it to .ci/run).
 */
import { execFileSync } from 'node:child_process';
import { requirePython } from '../../runtime/python.js';

export { requirePython as findPython };

/**
 * Runs `script` with the interpreter from {@link requirePython}, passing `args` as `sys.argv[1:]`, and
 * parses its stdout as JSON.
 */
export function runPythonJson<T = unknown>(
  modules: readonly string[],
  script: string,
  args: readonly string[] = [],
): T {
  const python = requirePython(modules);
  const stdout = execFileSync(python, ['-c', script, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return JSON.parse(stdout) as T;
}
