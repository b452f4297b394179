export {
  type DatasetSpec,
  datasetCacheDir,
  datasets,
  type Located,
  locateDataset,
  repoRoot,
} from './locate.js';
