import { goeEnv } from '../config.js';
import { log } from '../log.js';
import * as tf from '../tf.js';
import { registerWasmGradientKernels } from './wasm-kernels/index.js';

/** The TF.js backends goe can run on, fastest first (DESIGN.md, "Compute"). */
export const backendChoices = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof backendChoices)[number];

/** What `initBackend` settled on, and why the faster ones were passed over. */
export interface BackendInfo {
  choice: BackendChoice;
  /** The name TF.js knows the backend by (`tensorflow`, `wasm`, `cpu`). */
  tfName: string;
  package: string;
  version: string;
  /** Kernels goe registered to make training possible, and ones it replaced to make it fast (wasm only). */
  kernels: { added: string[]; replaced: string[] };
  skipped: { choice: BackendChoice; reason: string }[];
}

/** A forced backend (`GOE_BACKEND`) that cannot start, or an unknown backend name. */
export class BackendError extends Error {
  constructor(
    readonly choice: string,
    message: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

interface Loaded {
  tfName: string;
  package: string;
  version: string;
  kernels: { added: string[]; replaced: string[] };
}

const none = { added: [], replaced: [] };

/** Each loader imports its package lazily: the native ones are optional and may be absent or broken. */
const loaders: Record<BackendChoice, () => Promise<Loaded>> = {
  'node-gpu': async () => {
    const m = await import('@tensorflow/tfjs-node-gpu' as string);
    return {
      tfName: 'tensorflow',
      package: '@tensorflow/tfjs-node-gpu',
      version: m.version?.['tfjs-node'] ?? '?',
      kernels: none,
    };
  },
  node: async () => {
    const m = await import('@tensorflow/tfjs-node' as string);
    return {
      tfName: 'tensorflow',
      package: '@tensorflow/tfjs-node',
      version: m.version?.['tfjs-node'] ?? '?',
      kernels: none,
    };
  },
  wasm: async () => {
    const m = await import('@tensorflow/tfjs-backend-wasm');
    const kernels = registerWasmGradientKernels();
    return { tfName: 'wasm', package: '@tensorflow/tfjs-backend-wasm', version: m.version_wasm, kernels };
  },
  cpu: async () => {
    const m = await import('@tensorflow/tfjs-backend-cpu');
    return { tfName: 'cpu', package: '@tensorflow/tfjs-backend-cpu', version: m.version_cpu, kernels: none };
  },
};

function parseChoice(value: string | undefined): BackendChoice | 'auto' {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if ((backendChoices as readonly string[]).includes(value)) return value as BackendChoice;
  throw new BackendError(value, `unknown backend "${value}"; use one of: auto, ${backendChoices.join(', ')}`);
}

async function start(choice: BackendChoice): Promise<Loaded> {
  // PROD mutes TF.js's console banners (e.g. the cpu backend's "install tfjs-node" notice on every run);
  // goe reports the backend itself, once, through its logger.
  tf.env().set('PROD', true);
  const loaded = await loaders[choice]();
  if (!(await tf.setBackend(loaded.tfName)))
    throw new Error(`tf.setBackend('${loaded.tfName}') returned false`);
  await tf.ready();
  return loaded;
}

let current: Promise<BackendInfo> | undefined;
let currentRequest: string | undefined;

/**
 * Starts the fastest TF.js backend that works here, or the one `prefer` / `GOE_BACKEND` names
 * (a named backend that fails is an error, not a silent fallback). Idempotent per request.
 */
export function initBackend(prefer: string | undefined = goeEnv('GOE_BACKEND')): Promise<BackendInfo> {
  const request = parseChoice(prefer);
  if (current && currentRequest === request) return current;
  currentRequest = request;
  current = (async () => {
    const order = request === 'auto' ? backendChoices : [request];
    const skipped: BackendInfo['skipped'] = [];
    for (const choice of order) {
      try {
        const loaded = await start(choice);
        const info: BackendInfo = { choice, ...loaded, skipped };
        log('info', 'tfjs backend ready', { backend: choice, package: info.package, version: info.version });
        return info;
      } catch (err) {
        const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
        if (request !== 'auto')
          throw new BackendError(choice, `backend ${choice} could not start: ${reason}`);
        skipped.push({ choice, reason });
      }
    }
    throw new BackendError('auto', `no TF.js backend could start: ${JSON.stringify(skipped)}`);
  })();
  current.catch(() => {
    current = undefined;
    currentRequest = undefined;
  });
  return current;
}
