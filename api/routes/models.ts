import { Hono } from 'hono';
import type { GeneratorManifest } from '../../generators/manifest.js';
import type { GeneratorPool } from '../generators.js';
import type { AppEnv } from '../hono-env.js';
import { problem } from '../problems.js';

/** `GET /models` and `GET /models/{id}`: what the zoo holds, from the manifests (no weights are loaded). */
export function modelRoutes(pool: GeneratorPool): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/models', async (c) => {
    const models = (await pool.list()).map(summary);
    return c.json({ models });
  });
  app.get('/models/:id', async (c) => {
    const id = c.req.param('id');
    const m = await pool.manifest(id);
    if (!m)
      throw problem(
        'unknown-model',
        `no generator "${id.length > 80 ? `${id.slice(0, 77)}...` : id}" (see GET /models)`,
      );
    return c.json(detail(m));
  });
  return app;
}

/** `ModelSummary` of openapi.yaml. */
export function summary(m: GeneratorManifest) {
  return {
    id: m.id,
    modality: m.modality,
    classes: m.classes,
    digest: m.weights.digest,
    ...(m.kind === 'imported' ? { format: m.format, provenance: m.provenance } : {}),
  };
}

/** `ModelDetail` of openapi.yaml: shape and σ² for image models; temperature and tokens per row for text models. */
export function detail(m: GeneratorManifest) {
  if (m.modality === 'text') {
    return {
      ...summary(m),
      length: m.length,
      defaultTemperature: m.defaultTemperature,
      temperatureRange: m.temperatureRange,
    };
  }
  return {
    ...summary(m),
    shape: m.shape,
    latentDim: m.latentDim,
    defaultSigma2: m.defaultSigma2,
    sigma2Range: m.sigma2Range,
  };
}
