import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', 'infra/cdk.out/**', 'infra/dist/**'],
    // wasm/cpu TF.js tests and the s3rver suite are CPU-heavy on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
