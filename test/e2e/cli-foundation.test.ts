import { describe, expect, it } from 'vitest';
import { runGoe } from '../helpers/cli.js';

describe('goe CLI (foundation)', () => {
  it('--help lists the subcommands', async () => {
    const r = await runGoe(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/doctor/);
    expect(r.stdout).toMatch(/bench/);
  });

  it('doctor --json reports the backend, datasets and peers', async () => {
    const r = await runGoe(['doctor', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.backend.choice).toBe('wasm');
    expect(report.backend.kernels.added).toContain('Conv2DBackpropFilter');
    expect(report.datasets.map((d: { name: string }) => d.name)).toContain('fashion-mnist');
    expect(report.store).toMatch(/^file:\/\/\/.*\/store$/);
    // What computes each generator: the LM's step graph and the cGAN's twin on ONNX Runtime (GOE_RUNTIME=auto).
    const runtimeOf = (id: string) =>
      report.runtime.generators.find((g: { id: string }) => g.id === id)?.runtime as string | undefined;
    expect(runtimeOf('brown-lm')).toMatch(/^onnxruntime:/);
    expect(runtimeOf('fashion-mnist-cgan')).toMatch(/^onnxruntime:/);
    const tfjs = JSON.parse((await runGoe(['doctor', '--json'], { GOE_RUNTIME: 'tfjs' })).stdout);
    expect(tfjs.runtime.generators.find((g: { id: string }) => g.id === 'brown-lm')?.runtime).toBe('wasm');
  });

  it('doctor reports GOE_WORKERS, and a malformed value is a one-line error naming it', async () => {
    expect(JSON.parse((await runGoe(['doctor', '--json'], { GOE_WORKERS: '3' })).stdout).workers).toBe(3);
    const bad = await runGoe(['doctor'], { GOE_WORKERS: 'two' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/GOE_WORKERS must be a whole number .* got "two"/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('GOE_BACKEND forces a backend, and an unknown one is a clear error', async () => {
    const cpu = await runGoe(['doctor', '--json'], { GOE_BACKEND: 'cpu' });
    expect(JSON.parse(cpu.stdout).backend.choice).toBe('cpu');
    const bad = await runGoe(['doctor'], { GOE_BACKEND: 'tpu' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown backend "tpu"/);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a bad flag value is a usage error (exit 2) naming the flag', async () => {
    const r = await runGoe(['bench', 'train-step', '--batch', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--batch/);
  });

  it('bench train-step --json prints the issue schema with the PyTorch peer and a ratio', async () => {
    const r = await runGoe([
      'bench',
      'train-step',
      '--json',
      '--backends',
      'wasm',
      '--batch',
      '16',
      '--seconds',
      '0.2',
      '--workers',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [result] = JSON.parse(r.stdout);
    expect(result).toMatchObject({ name: 'train-step', backend: 'wasm', batch: 16, arch: 'small-cnn' });
    expect(result.samplesPerSec).toBeGreaterThan(0);
    expect(result.peer.name).toBe('pytorch');
    expect(result.peer.samplesPerSec).toBeGreaterThan(0);
    expect(result.ratio).toBeCloseTo(result.samplesPerSec / result.peer.samplesPerSec, 10);
    // The data-parallel rate over 2 workers, beside the same peer and the in-thread rate.
    const p = result.parallel;
    expect(p.workers).toBe(2);
    expect(p.samplesPerSec).toBeCloseTo((p.steps * 16) / p.seconds, 6);
    expect(p.ratio).toBeCloseTo(p.samplesPerSec / result.peer.samplesPerSec, 10);
    expect(p.speedup).toBeCloseTo(p.samplesPerSec / result.samplesPerSec, 10);
    expect(p.msPerStep.worker).toBeGreaterThan(0);
    expect(p.msPerStep.shards).toBeGreaterThanOrEqual(p.msPerStep.worker);
    // The trainer's ONNX Runtime step (onnxruntime-node is a dependency), beside the same peer, per phase.
    const o = result.onnx;
    expect(o.samplesPerSec).toBeCloseTo((o.steps * 16) / o.seconds, 6);
    expect(o.ratio).toBeCloseTo(o.samplesPerSec / result.peer.samplesPerSec, 10);
    expect(o.speedup).toBeCloseTo(o.samplesPerSec / result.samplesPerSec, 10);
    const t = o.msPerStep;
    expect(t.graph).toBeGreaterThan(0);
    expect(t.update).toBeGreaterThan(0);
    expect(t.graph + t.update).toBeLessThanOrEqual(t.total * 1.001);
  });

  it('bench train-step --arch ref-cnn times the reference CNN here, in the workers and in the peer', async () => {
    const args = ['bench', 'train-step', '--json', '--backends', 'wasm', '--batch', '16', '--seconds', '0.2'];
    const r = await runGoe([...args, '--workers', '2', '--arch', 'ref-cnn']);
    expect(r.code, r.stderr).toBe(0);
    const [result] = JSON.parse(r.stdout);
    expect(result).toMatchObject({ name: 'train-step', backend: 'wasm', arch: 'ref-cnn' });
    expect(result.peer.samplesPerSec).toBeGreaterThan(0);
    expect(result.parallel.samplesPerSec).toBeGreaterThan(0);
    const bad = await runGoe([...args, '--arch', 'vgg']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--arch.*vgg/);
  });

  it('bench train-step refuses --workers that do not divide the batch, in one line', async () => {
    const r = await runGoe(['bench', 'train-step', '--batch', '16', '--workers', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('goe: error: --workers 3 must divide --batch 16');
  });
});
