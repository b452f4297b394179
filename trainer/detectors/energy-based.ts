import * as tf from '../../runtime/tf.js';
import type { Detector } from './detector.js';
import { DetectorArgumentError } from './errors.js';
import { checkLogitTensor, logitRows, rowMax } from './logits.js';

/**
 * Energy score: Liu, Wang, Owens & Li, "Energy-based Out-of-distribution Detection", NeurIPS 2020.
 *
 * `score(x) = E(x; f) = −T · log Σ_c exp(f_c(x) / T)` (their Eq. 2 as a free energy), T = 1 by default;
 * higher = more OOD. Computed stably as `−(m + T · log Σ_c exp((f_c − m) / T))` with `m = max_c f_c`.
 */
export class EnergyBased implements Detector {
  readonly name = 'energy' as const;
  readonly temperature: number;

  /** @throws {DetectorArgumentError} when `temperature` is not a finite number > 0. */
  constructor(temperature = 1) {
    checkTemperature(temperature);
    this.temperature = temperature;
  }

  /** Energy scores of a row-major `[n, numClasses]` logits matrix at `temperature`, computed in float64. */
  static score(logits: ArrayLike<number>, numClasses: number, temperature = 1): Float32Array {
    return Float32Array.from(EnergyBased.energies(logits, numClasses, temperature));
  }

  /**
   * {@link EnergyBased.score} kept in float64: the energy-bounded loss sets its margins on these
   * (`EnergyBoundedLoss.marginsFrom`). `[n, numClasses]` row-major logits in, n energies out.
   */
  static energies(logits: ArrayLike<number>, numClasses: number, temperature = 1): Float64Array {
    checkTemperature(temperature);
    const n = logitRows(logits, numClasses);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const start = i * numClasses;
      const m = rowMax(logits, start, numClasses);
      let sum = 0;
      for (let c = 0; c < numClasses; c++) sum += Math.exp((logits[start + c] - m) / temperature);
      out[i] = -(m + temperature * Math.log(sum));
    }
    return out;
  }

  /**
   * {@link EnergyBased.score} on a `[n, numClasses]` tensor (float32 precision), differentiable (the
   * energy-bounded loss trains through it); the caller disposes it.
   */
  static scoreTensor(logits: tf.Tensor2D, temperature = 1): tf.Tensor1D {
    checkTemperature(temperature);
    checkLogitTensor(logits);
    return tf.tidy(() => {
      const m = tf.max(logits, 1, true);
      const lse = tf.log(tf.sum(tf.exp(tf.div(tf.sub(logits, m), temperature)), 1));
      return tf.neg(tf.add(tf.squeeze(m, [1]), tf.mul(lse, temperature))) as tf.Tensor1D;
    });
  }

  score(logits: ArrayLike<number>, numClasses: number): Float32Array {
    return EnergyBased.score(logits, numClasses, this.temperature);
  }

  scoreTensor(logits: tf.Tensor2D): tf.Tensor1D {
    return EnergyBased.scoreTensor(logits, this.temperature);
  }
}

function checkTemperature(temperature: number): void {
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new DetectorArgumentError(
      'temperature',
      temperature,
      `temperature must be a finite number > 0, got ${temperature}`,
    );
  }
}
