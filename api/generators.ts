import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageBatch } from '../generators/cgan/index.js';
import type { DecodableTextBatch, TextBatch } from '../generators/lm/index.js';
import { type GeneratorManifest, readManifest } from '../generators/manifest.js';
import { generatorRef, RowPool, type RowPoolOptions } from '../generators/pool/index.js';
import { listGenerators } from '../generators/registry.js';
import {
  chooseRuntime,
  type GeneratorRuntime,
  type RuntimePreference,
  runtimeLabel,
  runtimePreference,
} from '../generators/twin.js';
import type { Vocab } from '../runtime/text/vocab.js';
import { readVocab } from '../runtime/text/vocab-file.js';

/** What to draw from a loaded image generator (already resolved against its manifest). */
export interface ImageSampleParams {
  sigma2: number;
  classes: readonly number[];
  seed: number;
  start: number;
  count: number;
  dtype: 'uint8' | 'float32';
}

/** What to draw from a loaded language model (already resolved against its manifest). */
export interface TextSampleParams {
  temperature: number;
  classes: readonly number[];
  seed: number;
  start: number;
  count: number;
}

/** Options of {@link GeneratorPool}. */
export interface GeneratorPoolOptions extends Omit<RowPoolOptions, 'onError'> {
  /** The zoo folder: one sub-folder per generator id, each with a `manifest.json`. */
  zoo: string;
  /** Names the TF.js backend for ETags and /healthz; default: the compute workers' backend. */
  backend?: () => Promise<string>;
  /** Compute workers to share (the caller closes them); default a new {@link RowPool} from the options. */
  rows?: RowPool;
  /** Pool faults no request can be blamed for (a worker that died idle). */
  onError?: (error: Error) => void;
  /** TF.js or a cGAN's ONNX twin (generators/twin.ts); default `GOE_RUNTIME`, else `auto`. */
  runtime?: RuntimePreference;
}

// Ids are folder names in the zoo: no separators or dot-segments, so a request can never name a path.
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The generators of one zoo as the API sees them: manifests (read here, cached) and rows (computed by
 * the compute workers of a {@link RowPool}, which load each generator on first use and keep it). This
 * thread reads manifests and vocabularies and never runs a forward pass.
 */
export class GeneratorPool {
  readonly zoo: string;
  readonly rows: RowPool;
  #ownsRows: boolean;
  #backend: () => Promise<string>;
  #manifests = new Map<string, GeneratorManifest>();
  #vocabs = new Map<string, Promise<Vocab>>();
  #ready = new Set<string>();
  #runtimes = new Map<string, GeneratorRuntime>();
  readonly runtimePreference: RuntimePreference;

  /** @throws {Error} on a malformed `GOE_RUNTIME` */
  constructor(options: GeneratorPoolOptions) {
    this.zoo = options.zoo;
    this.runtimePreference = options.runtime ?? runtimePreference();
    this.#ownsRows = !options.rows;
    this.rows = options.rows ?? new RowPool(options);
    this.#backend = options.backend ?? (() => this.rows.backend());
  }

  /** Image rows per forward pass. */
  get batchSize(): number {
    return this.rows.batchSize;
  }

  /** Text rows per decoding run. */
  get textBatchSize(): number {
    return this.rows.textBatchSize;
  }

  /** Batches generated so far, by every request: lets tests and benchmarks see work stop on abort. */
  get batchesProduced(): number {
    return this.rows.batchesProduced;
  }

  /** Each compute thread's live TF.js tensors after its last batch (null: never started TF.js). */
  workerTensors(): Record<string, number | null> {
    return this.rows.workerTensors();
  }

  /** Ids of the generators that have produced rows (and so are loaded on the workers). */
  loadedIds(): string[] {
    return [...this.#ready].sort();
  }

  /** Every generator manifest in the zoo, sorted by id. */
  async list(): Promise<GeneratorManifest[]> {
    const all = await listGenerators(this.zoo);
    for (const m of all) if (!this.#manifests.has(m.id)) this.#manifests.set(m.id, m);
    return all;
  }

  /** The manifest of generator `id`, or undefined when the zoo has no such generator. */
  async manifest(id: string): Promise<GeneratorManifest | undefined> {
    const known = this.#manifests.get(id);
    if (known) return known;
    if (!ID.test(id) || id.includes('..')) return undefined;
    const dir = join(this.zoo, id);
    if (!existsSync(join(dir, 'manifest.json'))) return undefined;
    const m = await readManifest<GeneratorManifest>(dir);
    if (!m.modality) return undefined;
    this.#manifests.set(id, m);
    return m;
  }

  /** The backend's name, starting it if needed. */
  backend(): Promise<string> {
    return this.#backend();
  }

  /**
   * What computes generator `id`'s rows (TF.js, or ONNX Runtime for an imported ONNX model or a cGAN's
   * twin), chosen once per manifest (the choice reads and hashes the twin file).
   * @throws {Error} when `GOE_RUNTIME=onnx` and the cGAN's twin is absent or unusable
   */
  async runtime(id: string): Promise<GeneratorRuntime> {
    const known = this.#runtimes.get(id);
    if (known) return known;
    const manifest = await this.#known(id);
    const runtime = chooseRuntime(join(this.zoo, id), manifest, this.runtimePreference);
    this.#runtimes.set(id, runtime);
    return runtime;
  }

  /**
   * The name of what computes `id`'s rows, for its ETags and /healthz: the TF.js backend, or
   * `onnxruntime:<providers>`. Rows differ between runtimes in the last float bits, so must their ETags.
   */
  async backendOf(id: string): Promise<string> {
    // Named with the first request whatever the runtime: a /healthz that named it later would queue
    // behind that request's batches on the workers.
    const backend = await this.backend();
    return runtimeLabel(await this.runtime(id), backend);
  }

  /** Each loaded generator's {@link backendOf}, by id (for /healthz). */
  async loadedRuntimes(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const id of this.loadedIds()) out[id] = await this.backendOf(id);
    return out;
  }

  /**
   * Rows of generator `id`, one batch per forward pass. Row i depends only on (weights, params, seed,
   * start + i). Pulling drives generation: a consumer that stops pulling (or calls `return()`) stops it
   * within one batch.
   * @throws {WorkerCrashError} when a compute worker dies on one of its batches
   */
  async *sampleImages(id: string, params: ImageSampleParams): AsyncGenerator<ImageBatch> {
    const manifest = await this.#known(id);
    if (manifest.modality !== 'image') throw new Error(`${id} is a language model, not an image generator`);
    const { sigma2, classes, seed, dtype, start, count } = params;
    const ref = generatorRef(join(this.zoo, id), manifest, await this.runtime(id));
    for await (const batch of this.rows.rows(
      ref,
      { modality: 'image', sigma2, classes, seed, dtype },
      start,
      count,
    )) {
      this.#ready.add(id);
      yield batch as ImageBatch;
    }
  }

  /**
   * Text rows of language model `id`, one batch per `textBatchSize` rows, each with the model's vocabulary.
   * Row i depends only on (weights, params, seed, start + i); pulling drives generation, as for images.
   * @throws {WorkerCrashError} when a compute worker dies on one of its batches
   */
  async *sampleTexts(id: string, params: TextSampleParams): AsyncGenerator<DecodableTextBatch> {
    const manifest = await this.#known(id);
    if (manifest.modality !== 'text') throw new Error(`${id} is an image generator, not a language model`);
    const vocab = await this.#vocab(id, manifest.vocab);
    const { temperature, classes, seed, start, count } = params;
    const ref = generatorRef(join(this.zoo, id), manifest, await this.runtime(id));
    for await (const batch of this.rows.rows(
      ref,
      { modality: 'text', temperature, classes, seed },
      start,
      count,
    )) {
      this.#ready.add(id);
      yield { ...(batch as TextBatch), vocab };
    }
  }

  /**
   * Forgets generator `id` (its cached manifest and vocabulary) after it was added, replaced or removed:
   * the next request reads the zoo again. The workers load the new model on its first batch, since every
   * batch names the generator's {@link generatorVersion} (a stream already running keeps the old one).
   */
  async forget(id: string): Promise<void> {
    this.#manifests.delete(id);
    this.#runtimes.delete(id);
    this.#vocabs.delete(id);
    this.#ready.delete(id);
  }

  /** Stops the compute workers, when this pool started them. */
  async close(): Promise<void> {
    this.#ready.clear();
    if (this.#ownsRows) await this.rows.close();
  }

  async #known(id: string): Promise<GeneratorManifest> {
    const manifest = await this.manifest(id);
    if (!manifest) throw new Error(`no generator ${id} in ${this.zoo}`);
    return manifest;
  }

  #vocab(id: string, file: { file: string; digest: string }): Promise<Vocab> {
    let p = this.#vocabs.get(id);
    if (!p) {
      p = readVocab(join(this.zoo, id, file.file), file.digest);
      this.#vocabs.set(id, p);
      p.catch(() => this.#vocabs.delete(id));
    }
    return p;
  }
}
