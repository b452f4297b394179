import { describe, expect, it } from 'vitest';
import {
  commandLine,
  type ImageGeneratorManifest,
  samplingSetting,
  type TextGeneratorManifest,
} from './manifest.js';

describe('commandLine', () => {
  it('writes every set option as a kebab-case flag, in order, leaving out unset ones', () => {
    expect(
      commandLine('finetune', {
        from: 'runs/baseline-s0',
        outliers: 'generated',
        loss: 'oe',
        sigma2: 0,
        temperature: undefined,
        outlierCount: 512,
        outlierBatch: 128,
        limit: undefined,
        out: 'runs/goe-s0',
      }),
    ).toBe(
      'goe finetune --from runs/baseline-s0 --outliers generated --loss oe --sigma2 0 --outlier-count 512 --outlier-batch 128 --out runs/goe-s0',
    );
  });

  it('writes booleans as bare and --no- flags, lists comma-joined, and quotes values a shell would split', () => {
    expect(commandLine('reproduce images', { quick: true, unk: false, ood: ['mnist', 'gaussian'] })).toBe(
      'goe reproduce images --quick --no-unk --ood mnist,gaussian',
    );
    expect(commandLine('train', { out: 'my runs/a' })).toBe('goe train --out "my runs/a"');
  });
});

describe('samplingSetting', () => {
  const image = { modality: 'image', defaultSigma2: 50, sigma2Range: [0, 1000] } as ImageGeneratorManifest;
  const text = {
    modality: 'text',
    defaultTemperature: 2,
    temperatureRange: [0.05, 20],
  } as TextGeneratorManifest;

  it("takes the request's value or the model's default, and checks it against the range", () => {
    expect(samplingSetting(image)).toEqual({ name: 'sigma2', value: 50, range: [0, 1000], ok: true });
    expect(samplingSetting(image, 2000).ok).toBe(false);
    expect(samplingSetting(text, 0.01)).toEqual({
      name: 'temperature',
      value: 0.01,
      range: [0.05, 20],
      ok: false,
    });
  });

  it('turns −0 into 0, so both spell the same request', () => {
    expect(Object.is(samplingSetting(image, -0).value, 0)).toBe(true);
  });
});
