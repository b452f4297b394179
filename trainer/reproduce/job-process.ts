/**
 * The entry of one reproduction job's process (started by jobs.ts with tsx): runs the task given as
 * JSON in argv[2] and exits 0, or prints one line naming the failure and exits 1.
 */
import { type JobTask, runTask } from './tasks.js';

try {
  await runTask(JSON.parse(process.argv[2] ?? '') as JobTask);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
