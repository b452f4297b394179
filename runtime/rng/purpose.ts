/**
 * What a stream is for. The purpose is half of the Philox key, so the latent draws, the class draw and
 * the token draws of one sample are independent streams: drawing more latents never shifts the class.
 *
 * These values are part of the determinism contract: changing one changes every sample made with it.
 * Any other uint32 is accepted too, for purposes added later.
 */
export const Purpose = {
  /** Latent vectors fed to a generator (e.g. z ~ N(0, σ²I)). */
  LATENT: 1,
  /** The class a conditional generator is asked for. */
  CLASS: 2,
  /** Token draws of an autoregressive generator. */
  TOKEN: 3,
  /** Training-time draws (mini-batch indices, latents, classes, dropout of a training loop), kept apart
   * from the serving purposes so a training run never replays the outliers a client is sent. */
  TRAIN_INDEX: 16,
  TRAIN_LATENT: 17,
  TRAIN_CLASS: 18,
} as const;

/** One of the named {@link Purpose} values. */
export type Purpose = (typeof Purpose)[keyof typeof Purpose];
