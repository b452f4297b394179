/** A compute worker died (exited, crashed, ran out of memory) while it held a task; it has been replaced. */
export class WorkerCrashError extends Error {
  constructor(
    readonly task: string,
    readonly reason: string,
  ) {
    super(`a compute worker died while running ${task} (${reason}); it has been replaced`);
    this.name = 'WorkerCrashError';
  }
}
