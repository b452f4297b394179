import { describe, expect, it } from 'vitest';
import { evalJob, finetuneJob, trainJob } from './job-builders.js';
import { imagesPlan, quickConfig } from './plan.js';
import { quickTextConfig, textPlan } from './text-plan.js';
import { tunePhase1, tuneQuickConfig } from './tune-plan.js';

describe('job builders', () => {
  it('a run lives in dir/run: training is done at its manifest, evaluation at its eval.json', () => {
    expect(trainJob('/r', 'baseline-s1', { data: 'mnist', seed: 1, epochs: 2 })).toEqual({
      id: 'baseline-s1',
      task: { kind: 'train', options: { data: 'mnist', seed: 1, epochs: 2, out: '/r/baseline-s1' } },
      output: '/r/baseline-s1/manifest.json',
    });
    const ft = finetuneJob(
      '/r',
      'generated-oe-s1',
      'baseline-s1',
      { outliers: 'generated', loss: 'oe', epochs: 1, batch: 8, outlierBatch: 8, seed: 1 },
      ['generator'],
    );
    expect(ft).toMatchObject({
      id: 'generated-oe-s1',
      task: { kind: 'finetune', options: { from: '/r/baseline-s1', out: '/r/generated-oe-s1', seed: 1 } },
      output: '/r/generated-oe-s1/manifest.json',
      after: ['baseline-s1', 'generator'],
    });
    expect(evalJob('/r', 'generated-oe-s1', ['mnist', 'gaussian'], 50)).toEqual({
      id: 'eval-generated-oe-s1',
      task: {
        kind: 'eval',
        options: { model: '/r/generated-oe-s1', ood: 'mnist,gaussian', detector: 'all', limit: 50 },
        out: '/r/generated-oe-s1/eval.json',
      },
      output: '/r/generated-oe-s1/eval.json',
      after: ['generated-oe-s1'],
    });
  });

  it('every plan built from them names each job once and waits only for jobs it has', () => {
    for (const jobs of [
      imagesPlan(quickConfig, '/r'),
      textPlan(quickTextConfig, '/r'),
      tunePhase1(tuneQuickConfig, '/r'),
    ]) {
      const ids = new Set(jobs.map((j) => j.id));
      expect(ids.size).toBe(jobs.length);
      for (const j of jobs)
        for (const a of j.after ?? []) expect(ids.has(a), `${j.id} after ${a}`).toBe(true);
      for (const j of jobs.filter((x) => x.task.kind === 'eval')) {
        expect(ids.has(j.id.replace(/^eval-/, '')), j.id).toBe(true);
      }
    }
  });
});
