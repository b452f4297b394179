/**
 * The entry of one reproduction job's process (started by jobs.ts with tsx): runs the task given as
 * JSON in argv[2] and exits 0, or prints one line naming the failure and exits 1. When argv[3] names a
 * file, the process's CPU seconds (user + system) are appended to it as one line on exit, so a report
 * can say what its jobs cost, resumed runs included.
 */
import { appendFileSync } from 'node:fs';
import { type JobTask, runTask } from './tasks.js';

const cpuFile = process.argv[3];
if (cpuFile) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    appendFileSync(cpuFile, `${((user + system) / 1e6).toFixed(3)}\n`);
  });
  // A stopped reproduction (Ctrl-C) ends its jobs with a signal: exit so the line above is still written
  // (trainers resume from their checkpoints).
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => process.exit(130));
}

try {
  await runTask(JSON.parse(process.argv[2] ?? '') as JobTask);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
