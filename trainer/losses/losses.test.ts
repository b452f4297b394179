import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/backend/index.js';
import * as tf from '../../runtime/tf.js';
import { runPythonJson } from '../../test/helpers/python.js';
import { crossEntropy, EnergyBoundedLoss, OutlierExposureLoss } from './index.js';

/** The losses against an independent float64 NumPy evaluation of the papers' formulas. */

const B = 6;
const C = 4;
const inLogits = Array.from({ length: B * C }, (_, i) => Math.sin(i * 1.7) * 4);
const outLogits = Array.from({ length: 5 * C }, (_, i) => Math.cos(i * 0.9) * 3);
const labels = [0, 3, 1, 2, 2, 1];
const margins = { mIn: -6, mOut: -2.5, lambda: 0.1 };

const reference = (): { ce: number; oe: number; energy: number; marginsQ: number[] } =>
  runPythonJson(
    ['numpy'],
    `
import json, sys, numpy as np
d = json.loads(sys.argv[1])
fi = np.array(d['inLogits'], dtype=np.float64).reshape(-1, ${C})
fo = np.array(d['outLogits'], dtype=np.float64).reshape(-1, ${C})
y = np.array(d['labels'])
lse = lambda f: np.log(np.exp(f - f.max(1, keepdims=True)).sum(1)) + f.max(1)
ce = np.mean(lse(fi) - fi[np.arange(len(y)), y])
oe = ce + 0.5 * np.mean(lse(fo) - fo.mean(1))                        # Hendrycks et al. 2019
m = d['margins']
ein, eout = -lse(fi), -lse(fo)
energy = ce + m['lambda'] * (np.mean(np.maximum(0, ein - m['mIn'])**2) + np.mean(np.maximum(0, m['mOut'] - eout)**2))  # Liu et al. 2020
print(json.dumps({'ce': ce, 'oe': oe, 'energy': energy, 'marginsQ': [float(np.sort(ein)[int(0.2*(len(ein)-1))]), float(np.sort(ein)[int(0.5*(len(ein)-1))] + 4)]}))
`,
    [JSON.stringify({ inLogits, outLogits, labels, margins })],
  );

let ref: ReturnType<typeof reference>;

beforeAll(async () => {
  await initBackend('cpu');
  ref = reference();
});

const value = (f: () => tf.Scalar) => tf.tidy(() => f().dataSync()[0]);
const fi = () => tf.tensor2d(inLogits, [B, C]);
const fo = () => tf.tensor2d(outLogits, [5, C]);
const y = () => tf.tensor1d(labels, 'int32');

describe('losses match NumPy', () => {
  it('cross-entropy', () => {
    expect(value(() => crossEntropy(fi(), y()))).toBeCloseTo(ref.ce, 5);
  });

  it('Outlier Exposure: CE + 0.5 · mean(logsumexp − mean logit) over outliers', () => {
    expect(value(() => new OutlierExposureLoss(0.5).loss(fi(), y(), fo()))).toBeCloseTo(ref.oe, 5);
  });

  it('OE without outliers is plain cross-entropy', () => {
    expect(value(() => new OutlierExposureLoss(0.5).loss(fi(), y()))).toBeCloseTo(ref.ce, 5);
  });

  it('energy-bounded: CE + λ(relu(E_in − m_in)² + relu(m_out − E_out)²)', () => {
    expect(value(() => new EnergyBoundedLoss(margins).loss(fi(), y(), fo()))).toBeCloseTo(ref.energy, 5);
  });

  it('the OE outlier term is log C for uniform logits (its minimum) and larger otherwise', () => {
    expect(value(() => OutlierExposureLoss.outlierTerm(tf.fill([3, C], 2.5) as tf.Tensor2D))).toBeCloseTo(
      Math.log(C),
      6,
    );
    expect(value(() => OutlierExposureLoss.outlierTerm(fo()))).toBeGreaterThan(Math.log(C) + 0.1);
  });

  it('energy margins from a model’s own energies: 20th percentile and median + 4', () => {
    const energies = tf.tidy(() => EnergyBoundedLoss.energy(fi()).arraySync() as number[]);
    const m = EnergyBoundedLoss.marginsFrom(energies);
    expect(m.mIn).toBeCloseTo(ref.marginsQ[0], 5);
    expect(m.mOut).toBeCloseTo(ref.marginsQ[1], 5);
    expect(m.lambda).toBe(0.1);
  });
});
