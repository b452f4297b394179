/**
 * Test support: the same metrics computed by scikit-learn (Debian `python3-sklearn`) in the same test run,
 * the independent reference every metric here is checked against. Throws, never skips, without sklearn.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPythonJson } from '../../test/helpers/python.js';

/** One named input for {@link sklearnReference}. */
export interface ReferenceCase {
  name: string;
  scores: ArrayLike<number>;
  isOod: ArrayLike<boolean | number>;
}

/** scikit-learn's values for one case, as fractions. */
export interface SklearnMetrics {
  /** `roc_auc_score(is_ood, scores)` */
  auroc: number;
  /** `average_precision_score(1 - is_ood, -scores)` */
  auprIn: number;
  /** `average_precision_score(is_ood, scores)` */
  auprOut: number;
  /** `fpr[argmax(tpr >= 0.95)]` of `roc_curve(is_ood, scores, drop_intermediate=False)` */
  fpr95: number;
  /** the same with roc_curve's default `drop_intermediate=True` */
  fpr95DropIntermediate: number;
  /** ID positive: `fpr[argmax(tpr >= 0.95)]` of `roc_curve(1 - is_ood, -scores, drop_intermediate=False)` */
  fpr95IdPositive: number;
}

const SCRIPT = `
import json, sys
import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

def fpr95(y, s, drop):
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=drop)
    return float(fpr[np.argmax(tpr >= 0.95)])

out = {}
with open(sys.argv[1]) as f:
    cases = json.load(f)
for c in cases:
    s = np.asarray(c["scores"], dtype=np.float64)
    y = np.asarray(c["isOod"], dtype=np.int64)
    out[c["name"]] = {
        "auroc": float(roc_auc_score(y, s)),
        "auprIn": float(average_precision_score(1 - y, -s)),
        "auprOut": float(average_precision_score(y, s)),
        "fpr95": fpr95(y, s, False),
        "fpr95DropIntermediate": fpr95(y, s, True),
        "fpr95IdPositive": fpr95(1 - y, -s, False),
    }
print(json.dumps(out))
`;

/** Runs scikit-learn on every case in one Python process; cases are passed through a temporary JSON file. */
export function sklearnReference(cases: readonly ReferenceCase[]): Record<string, SklearnMetrics> {
  const dir = mkdtempSync(join(tmpdir(), 'goe-sklearn-'));
  try {
    const file = join(dir, 'cases.json');
    // JSON numbers round-trip float64 exactly in both directions (shortest repr in JS and Python).
    const json = cases.map((c) => ({
      name: c.name,
      scores: Array.from(c.scores),
      isOod: Array.from(c.isOod, (v) => Number(v)),
    }));
    writeFileSync(file, JSON.stringify(json));
    return runPythonJson<Record<string, SklearnMetrics>>(['numpy', 'sklearn'], SCRIPT, [file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
