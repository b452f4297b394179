export {
  type ComputePool,
  type ComputePoolOptions,
  openComputePool,
  type TaskModule,
} from './compute-pool.js';
export {
  loadParams,
  ShardPool,
  type ShardTask,
  SharedParams,
  shardOf,
  shareBytes,
  storeGrads,
} from './data-parallel.js';
export { WorkerCrashError } from './errors.js';
export { workerCount } from './workers.js';
