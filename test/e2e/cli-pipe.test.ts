import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../trainer/datasets/index.js';

describe('goe writing into a closed pipe (`goe … | head`)', () => {
  it('exits quietly, without an EPIPE stack trace', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'goe.mjs'), 'eval', '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader is gone before goe prints a byte
    let stderr = '';
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  }, 60_000);
});
