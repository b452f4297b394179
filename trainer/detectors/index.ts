/**
 * Post-hoc OOD detectors on a classifier's logits, one per file, named after its paper (as pytorch-ood).
 * Convention: higher score = more likely OOD. Each has a pure static `score()` (float64 math, testable
 * without a model) and a TF.js `scoreTensor()`.
 *
 * @module
 */
export { type DetectorOptions, detectorByName, isDetectorName } from './by-name.js';
export { type Detector, type DetectorName, detectorNames } from './detector.js';
export { EnergyBased } from './energy-based.js';
export { DetectorArgumentError } from './errors.js';
export { MaxLogit } from './max-logit.js';
export { MaxSoftmax } from './max-softmax.js';
