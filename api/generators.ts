import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageBatch } from '../generators/cgan/index.js';
import type { Generator } from '../generators/generator.js';
import type { DecodableTextBatch } from '../generators/lm/index.js';
import { loadGenerator } from '../generators/load.js';
import { type GeneratorManifest, readManifest } from '../generators/manifest.js';
import { listGenerators } from '../generators/registry.js';

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
export interface GeneratorPoolOptions {
  /** The zoo folder: one sub-folder per generator id, each with a `manifest.json`. */
  zoo: string;
  /** Starts the TF.js backend (once) and names it; called before the first generator loads. */
  backend: () => Promise<string>;
  /** Rows per generator forward pass; does not change the rows (determinism is per row). */
  batchSize?: number;
  /** Rows a language model decodes together (default min(batchSize, 64)); does not change the rows. */
  textBatchSize?: number;
}

// Ids are folder names in the zoo: no separators or dot-segments, so a request can never name a path.
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The generators of one zoo, loaded lazily on first use and kept in memory. Manifests are cached once
 * read; a generator that fails to load is forgotten, so the next request tries again.
 */
export class GeneratorPool {
  readonly zoo: string;
  readonly batchSize: number;
  readonly textBatchSize: number;
  #backend: () => Promise<string>;
  #manifests = new Map<string, GeneratorManifest>();
  #loaded = new Map<string, Promise<Generator>>();
  #ready = new Set<string>();
  /** Streams drawing from each loaded generator, and generators forgotten while streams still use them. */
  #users = new Map<Generator, number>();
  #retired = new Set<Generator>();
  #batches = 0;

  constructor(options: GeneratorPoolOptions) {
    this.zoo = options.zoo;
    this.batchSize = options.batchSize ?? 256;
    // A text batch runs `length` forward passes before its first row is out: smaller keeps it streaming.
    this.textBatchSize = options.textBatchSize ?? Math.min(this.batchSize, 64);
    this.#backend = options.backend;
  }

  /** Batches generated so far, by every request: lets tests and benchmarks see work stop on abort. */
  get batchesProduced(): number {
    return this.#batches;
  }

  /** Ids of the generators loaded in memory. */
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
   * Rows of generator `id`, one batch per forward pass. Row i depends only on (weights, params, seed,
   * start + i). Pulling drives generation: a consumer that stops pulling (or calls `return()`) stops it
   * within one batch.
   */
  async *sampleImages(id: string, params: ImageSampleParams): AsyncGenerator<ImageBatch> {
    const model = await this.#load(id);
    if (model.modality !== 'image') throw new Error(`${id} is a language model, not an image generator`);
    this.#users.set(model, (this.#users.get(model) ?? 0) + 1);
    try {
      for await (const batch of model.generate({ ...params, batchSize: this.batchSize })) {
        this.#batches += 1;
        yield batch;
      }
    } finally {
      this.#release(model);
    }
  }

  /**
   * Text rows of language model `id`, one batch per `textBatchSize` rows, each with the model's vocabulary.
   * Row i depends only on (weights, params, seed, start + i); pulling drives generation, as for images.
   */
  async *sampleTexts(id: string, params: TextSampleParams): AsyncGenerator<DecodableTextBatch> {
    const model = await this.#load(id);
    if (model.modality !== 'text') throw new Error(`${id} is an image generator, not a language model`);
    const { vocab } = model;
    this.#users.set(model, (this.#users.get(model) ?? 0) + 1);
    try {
      for await (const batch of model.generate({ ...params, batchSize: this.textBatchSize })) {
        this.#batches += 1;
        yield { ...batch, vocab };
      }
    } finally {
      this.#release(model);
    }
  }

  /**
   * Forgets generator `id` (its cached manifest and loaded weights), after it was added, replaced or
   * removed: the next request reads the zoo again.
   */
  async forget(id: string): Promise<void> {
    this.#manifests.delete(id);
    const p = this.#loaded.get(id);
    this.#loaded.delete(id);
    this.#ready.delete(id);
    const model = await p?.catch(() => undefined);
    if (!model) return;
    // A stream still drawing from the old generator keeps it until it ends (then #release frees it).
    if (this.#users.get(model)) this.#retired.add(model);
    else await model.dispose();
  }

  #release(model: Generator): void {
    const left = (this.#users.get(model) ?? 1) - 1;
    if (left > 0) {
      this.#users.set(model, left);
      return;
    }
    this.#users.delete(model);
    if (this.#retired.delete(model)) void model.dispose();
  }

  /** Frees every loaded generator's weights. */
  async close(): Promise<void> {
    const all = [...this.#loaded.values()];
    this.#loaded.clear();
    this.#ready.clear();
    for (const p of all) await (await p.catch(() => undefined))?.dispose();
  }

  #load(id: string): Promise<Generator> {
    let p = this.#loaded.get(id);
    if (!p) {
      p = (async (): Promise<Generator> => {
        const manifest = await this.manifest(id);
        if (!manifest) throw new Error(`no generator ${id} in ${this.zoo}`);
        await this.#backend();
        return loadGenerator(join(this.zoo, id));
      })();
      this.#loaded.set(id, p);
      p.then(
        () => this.#ready.add(id),
        () => this.#loaded.delete(id),
      );
    }
    return p;
  }
}
