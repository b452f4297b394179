export {
  type ComputePool,
  type ComputePoolOptions,
  openComputePool,
  type TaskModule,
} from './compute-pool.js';
export { WorkerCrashError } from './errors.js';
export { workerCount } from './workers.js';
