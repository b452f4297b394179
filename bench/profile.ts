import { initBackend, KernelProfiler } from '../runtime/backend/index.js';
import { timeTrainSteps } from './train-step.js';

/** Where one training step's time goes on a synchronous backend: ms per step by kernel. */
export interface StepProfile {
  backend: string;
  msPerStep: number;
  kernels: { kernel: string; callsPerStep: number; selfMsPerStep: number; totalMsPerStep: number }[];
}

/** Profiles reference-CNN training steps kernel by kernel (`goe bench train-step --profile`). */
export async function profileTrainStep(
  backend: 'wasm' | 'cpu',
  batch = 128,
  seconds = 3,
): Promise<StepProfile> {
  await initBackend(backend);
  timeTrainSteps(batch, 0, 2); // warm-up outside the profile
  const profiler = new KernelProfiler(backend).start();
  let timing: { steps: number; seconds: number };
  try {
    timing = timeTrainSteps(batch, seconds, 0);
  } finally {
    profiler.stop();
  }
  const per = (x: number) => x / timing.steps;
  return {
    backend,
    msPerStep: per(timing.seconds * 1000),
    kernels: profiler.report().map((k) => ({
      kernel: k.kernel,
      callsPerStep: per(k.calls),
      selfMsPerStep: per(k.selfMs),
      totalMsPerStep: per(k.ms),
    })),
  };
}
