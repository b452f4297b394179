export { type GeneratorRef, RowPool, type RowPoolOptions } from './row-pool.js';
export {
  generateRows,
  generatorVersion,
  type LoadedGenerator,
  loadGenerator,
  type RowBatch,
  type RowParams,
} from './rows.js';
