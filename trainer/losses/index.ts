export { crossEntropy } from './cross-entropy.js';
export { EnergyBoundedLoss, type EnergyMargins } from './energy-bounded.js';
export { OutlierExposureLoss } from './outlier-exposure.js';
