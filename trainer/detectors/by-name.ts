import { type Detector, type DetectorName, detectorNames } from './detector.js';
import { EnergyBased } from './energy-based.js';
import { DetectorArgumentError } from './errors.js';
import { MaxLogit } from './max-logit.js';
import { MaxSoftmax } from './max-softmax.js';

/** Options of {@link detectorByName}. */
export interface DetectorOptions {
  /** Energy temperature T (default 1); only `energy` takes one. */
  temperature?: number;
}

/** Whether `name` is one of {@link detectorNames}. */
export function isDetectorName(name: string): name is DetectorName {
  return (detectorNames as readonly string[]).includes(name);
}

/**
 * The detector called `name` (`msp`, `energy` or `maxlogit`).
 *
 * @throws {DetectorArgumentError} for an unknown name, or a temperature given to a detector without one.
 */
export function detectorByName(name: string, options: DetectorOptions = {}): Detector {
  if (!isDetectorName(name)) {
    throw new DetectorArgumentError(
      'name',
      name,
      `unknown detector ${JSON.stringify(name)} (expected one of ${detectorNames.join(', ')})`,
    );
  }
  if (options.temperature !== undefined && name !== 'energy') {
    throw new DetectorArgumentError(
      'temperature',
      options.temperature,
      `detector "${name}" takes no temperature (only energy does)`,
    );
  }
  switch (name) {
    case 'msp':
      return new MaxSoftmax();
    case 'energy':
      return new EnergyBased(options.temperature);
    case 'maxlogit':
      return new MaxLogit();
  }
}
