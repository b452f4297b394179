import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/goe.mjs', import.meta.url));

/** What one `goe …` (or other child process) run printed and how it exited. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `goe` binary in a child process (as a user would), with `GOE_LOG=silent` by default. */
export function runGoe(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 300_000,
): Promise<CliRun> {
  return runProcess(process.execPath, [bin, ...args], { env: { GOE_LOG: 'silent', ...env }, timeoutMs });
}

/** Runs `command args` (no shell) and resolves with its output whatever the exit code. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 300_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
