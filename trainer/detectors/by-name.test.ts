import { describe, expect, it } from 'vitest';
import { detectorByName, isDetectorName } from './by-name.js';
import { detectorNames } from './detector.js';
import { EnergyBased } from './energy-based.js';
import { DetectorArgumentError } from './errors.js';
import { MaxLogit } from './max-logit.js';
import { MaxSoftmax } from './max-softmax.js';

describe('detectorByName', () => {
  it('returns each detector by its name', () => {
    expect(detectorByName('msp')).toBeInstanceOf(MaxSoftmax);
    expect(detectorByName('energy')).toBeInstanceOf(EnergyBased);
    expect(detectorByName('maxlogit')).toBeInstanceOf(MaxLogit);
    for (const name of detectorNames) expect(detectorByName(name).name).toBe(name);
  });

  it('passes the energy temperature', () => {
    const d = detectorByName('energy', { temperature: 2 });
    expect((d as EnergyBased).temperature).toBe(2);
    const logits = Float32Array.from([0.5, -1, 3]);
    expect(d.score(logits, 3)).toEqual(EnergyBased.score(logits, 3, 2));
  });

  it('names the choices for an unknown name', () => {
    expect(() => detectorByName('odin')).toThrow(DetectorArgumentError);
    expect(() => detectorByName('MSP')).toThrow(
      'unknown detector "MSP" (expected one of msp, energy, maxlogit)',
    );
    expect(isDetectorName('odin')).toBe(false);
    expect(isDetectorName('energy')).toBe(true);
  });

  it('rejects a temperature for a detector without one', () => {
    expect(() => detectorByName('msp', { temperature: 2 })).toThrow(/"msp" takes no temperature/);
  });
});
