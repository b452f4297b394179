import { describe, expect, it } from 'vitest';
import { runGoe } from '../../test/helpers/cli.js';

describe('goe train-generator --workers', () => {
  it('refuses a worker count that does not divide the batch, in one line, before loading data', async () => {
    const r = await runGoe(['train-generator', '--out', 'unused', '--batch', '64', '--workers', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('goe: error: --workers 3 must divide --batch 64');
  });

  it('refuses an LM worker count that does not divide the batch too', async () => {
    const r = await runGoe([
      'train-generator',
      '--kind',
      'lm',
      '--out',
      'unused',
      '--batch',
      '20',
      '--workers',
      '3',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('goe: error: --workers 3 must divide --batch 20');
  });
});
