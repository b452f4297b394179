/**
 * Random-stream purposes of the generated image sets: the other half of the Philox key next to the seed
 * (see `runtime/rng`). They sit far from runtime's small `Purpose` values (1, 2, 3, ...) so neither can
 * collide with a purpose added there later, and they are part of the determinism contract: changing one
 * changes every noise image or crop made with it.
 */
export const DatasetPurpose = {
  /** Per-pixel draws of `gaussianNoise`. ASCII "goe" + 1. */
  GAUSSIAN_NOISE: 0x676f6501,
  /** Per-pixel draws of `uniformNoise`. */
  UNIFORM_NOISE: 0x676f6502,
  /** Photo choice, scale and position of a natural-outlier crop. */
  NATURAL_CROP: 0x676f6503,
  /** The shuffle that sets a user's data set's seeded test split apart (`--test-split`). */
  TEST_SPLIT: 0x676f6504,
} as const;
