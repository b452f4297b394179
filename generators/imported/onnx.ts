import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { isMainThread, workerData } from 'node:worker_threads';
import type { InferenceSession as OrtSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { goeEnv } from '../../runtime/config.js';
import { workerCount } from '../../runtime/pool/workers.js';
import type { Feed, ImportedRuntime, ModelSignature, RawOutput, TensorInfo } from './io.js';

type Ort = typeof import('onnxruntime-node');

let ortModule: Promise<Ort> | undefined;

// Loaded on first use: the native binding costs start-up time every other command should not pay.
function ort(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').then((m) => ((m as { default?: Ort }).default ?? m) as Ort);
  return ortModule;
}

/**
 * Whether `onnxruntime-node` can be found from here, without loading its native binding. False in the
 * Lambda bundle, which leaves it out (infra/lambda/bundle.ts): there `GOE_RUNTIME=auto` stays on TF.js.
 */
export function onnxRuntimeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
}

/**
 * ONNX Runtime's execution providers, in preference order: `GOE_ORT_PROVIDERS` (e.g. `cuda,cpu` on a
 * GPU host whose onnxruntime-node has its CUDA files), else the bundled CPU provider.
 */
export function ortProviders(): string[] {
  const env = goeEnv('GOE_ORT_PROVIDERS');
  return env
    ? env
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
    : ['cpu'];
}

/**
 * ONNX Runtime threads of one session. On the calling thread, ORT's default (one per core). In a compute
 * worker (generators/pool), every worker holds its own session, so the cores are shared out: cores ÷
 * workers threads each (at least 1), and N workers do not start N × cores threads. The worker count is
 * its own pool's (runtime/pool passes it in `workerData`, with the pool's `onnxThreads` when it sets one),
 * else `GOE_WORKERS`: on 2 cores a 1-worker pool
 * runs 2 threads, a 2-worker pool 1 thread per worker (measured on the zoo cGAN's twin, load < 1:
 * one session at 1 thread 7,700 images/s, at 2 threads 10,500, with ORT's default thread spinning).
 */
export function ortThreads(): {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  extra?: Record<string, unknown>;
} {
  if (isMainThread) return {};
  const data = workerData as { workers?: unknown; onnxThreads?: unknown } | null;
  const workers = Math.max(1, typeof data?.workers === 'number' ? data.workers : workerCount());
  const threads =
    typeof data?.onnxThreads === 'number' ? data.onnxThreads : Math.floor(availableParallelism() / workers);
  return {
    intraOpNumThreads: Math.max(1, threads),
    interOpNumThreads: 1,
    // Idle intra-op threads spin by default, stealing the cycles of the other workers and of the HTTP
    // thread: measured at load ≈ 9 on 2 cores, one session at 2 threads made 3,000 images/s spinning and
    // 4,800–7,400 not (1 thread: 6,500).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

async function createSession(bytes: Uint8Array, what: string): Promise<OrtSession> {
  const { InferenceSession } = await ort();
  try {
    return await InferenceSession.create(bytes, {
      executionProviders: ortProviders(),
      graphOptimizationLevel: 'all',
      ...ortThreads(),
    });
  } catch (err) {
    throw new Error(`${what} is not a valid ONNX model: ${firstLine(err)}`);
  }
}

async function ortInputs(feeds: readonly Feed[]): Promise<Record<string, OrtTensor>> {
  const { Tensor } = await ort();
  const inputs: Record<string, OrtTensor> = {};
  for (const f of feeds) {
    inputs[f.name] =
      f.dtype === 'int64'
        ? new Tensor(
            'int64',
            BigInt64Array.from(f.data, (v) => BigInt(v)),
            f.shape,
          )
        : new Tensor(f.dtype, f.data, f.shape);
  }
  return inputs;
}

/** `session.run` (every output unless `outputs` names some), its error naming the model. */
async function runNamed(
  session: OrtSession,
  inputs: Record<string, OrtTensor>,
  what: string,
  outputs?: string[],
): Promise<Record<string, OrtTensor>> {
  try {
    return await (outputs ? session.run(inputs, outputs) : session.run(inputs));
  } catch (err) {
    throw new Error(`${what}: ONNX Runtime rejected the inputs: ${firstLine(err)}`);
  }
}

function rawOutput(t: OrtTensor): RawOutput {
  const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
  const dims = [...t.dims];
  t.dispose();
  return { data, dims };
}

/**
 * Opens an ONNX model from its bytes on ONNX Runtime (`onnxruntime-node`, native, multi-threaded).
 * @throws when the bytes are not an ONNX model ("FILE is not a valid ONNX model: …")
 */
export async function openOnnx(bytes: Uint8Array, what: string): Promise<ImportedRuntime> {
  const session = await createSession(bytes, what);
  const info = (m: (typeof session.inputMetadata)[number]): TensorInfo =>
    m.isTensor
      ? { name: m.name, dtype: m.type, shape: [...m.shape] }
      : { name: m.name, dtype: 'non-tensor', shape: undefined };
  const signature: ModelSignature = {
    inputs: session.inputMetadata.map(info),
    outputs: session.outputMetadata.map(info),
  };
  return {
    signature,
    async run(feeds: readonly Feed[], output: string): Promise<RawOutput> {
      const result = await runNamed(session, await ortInputs(feeds), what, [output]);
      return rawOutput(result[output]);
    },
    async dispose() {
      await session.release();
    },
  };
}

/** An output of a graph goe builds: float32, or int32 (index outputs, e.g. max-pooling's arg-max). */
export interface GraphOutput {
  data: Float32Array | Int32Array;
  dims: readonly number[];
}

/**
 * A graph goe builds itself (generators/lm/onnx-step.ts, trainer/onnx/cnn-graph.ts) on ONNX Runtime: every
 * output of each run.
 */
export interface OnnxGraph {
  /** @throws {Error} naming the graph when ONNX Runtime rejects the inputs */
  run(feeds: readonly Feed[]): Promise<Record<string, GraphOutput>>;
  dispose(): Promise<void>;
}

/** Opens an ONNX graph from its bytes, threads and providers as {@link openOnnx}. */
export async function openOnnxGraph(bytes: Uint8Array, what: string): Promise<OnnxGraph> {
  const session = await createSession(bytes, what);
  return {
    async run(feeds) {
      const result = await runNamed(session, await ortInputs(feeds), what);
      return Object.fromEntries(
        Object.entries(result).map(([name, t]) => [
          name,
          t.data instanceof Int32Array ? { data: t.data, dims: [...t.dims] } : rawOutput(t),
        ]),
      );
    },
    dispose: () => session.release(),
  };
}

/** Reads and opens an ONNX file. */
export async function openOnnxFile(path: string): Promise<ImportedRuntime> {
  return openOnnx(new Uint8Array(await readFile(path)), path);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
