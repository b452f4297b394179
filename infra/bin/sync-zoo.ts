import { syncZoo } from '../runtime/zoo-sync.js';

// The containers' entrypoint runs this before `goe serve` (infra/docker/entrypoint.sh):
//   node --import tsx infra/bin/sync-zoo.ts s3://bucket/zoo /tmp/goe-zoo
const [url, target] = process.argv.slice(2);
if (!url || !target) {
  process.stderr.write('usage: sync-zoo.ts s3://bucket/zoo TARGET_DIR\n');
  process.exit(2);
}
try {
  const started = performance.now();
  const { files, bytes } = await syncZoo(url, target);
  process.stderr.write(
    `goe: zoo ${url} → ${target}: ${files} files, ${(bytes / 2 ** 20).toFixed(1)} MiB, ` +
      `${Math.round(performance.now() - started)} ms\n`,
  );
} catch (error) {
  process.stderr.write(
    `goe: zoo sync from ${url} failed: ${error instanceof Error ? error.message : error}\n`,
  );
  process.exit(1);
}
