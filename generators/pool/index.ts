export { RowPool, type RowPoolOptions } from './row-pool.js';
export {
  type GeneratorRef,
  generateRows,
  generatorRef,
  generatorVersion,
  type LoadedGenerator,
  loadGenerator,
  type RowBatch,
  type RowParams,
} from './rows.js';
