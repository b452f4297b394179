/**
 * The class-conditional GAN's shape. Defaults are sized for a 2-core CPU: a DCGAN-style generator
 * (dense → 7×7×g·2 → two stride-2 transposed convolutions → 28×28×1; `stages` of them in general, so
 * 32×32×3 is 4×4×g·4 → 8 → 16 → 32 and 64×64×3 is 4×4×g·8 → … → 64) with class-conditional batch norm
 * (BigGAN, Brock et al. 2019), and a discriminator that sees the label twice — as input channels and
 * through a projection term (Miyato & Koyama 2018). DESIGN.md: a projection-only discriminator with
 * hinge loss ignored the label for 1,500 steps; label channels + projection + the non-saturating loss
 * conditioned well. Both losses are available; `ns` is the default.
 */
export interface CganConfig {
  latentDim: number;
  numClasses: number;
  /**
   * Generator width: the last hidden stage (half the output size) has `gWidth` channels, each stage
   * before it twice as many (28×28: 7×7×2g → 14×14×g).
   */
  gWidth: number;
  /**
   * Discriminator width: `stages` stride-2 conv stages of dWidth, 2·dWidth, 4·dWidth … channels, then a
   * 4·dWidth feature layer.
   */
  dWidth: number;
  /**
   * Stride-2 stages of generator and discriminator: the generator starts at (height, width) / 2^stages.
   * Absent in manifests written before RGB support: 2 (the 28×28 layout). See {@link cganStagesFor}.
   */
  stages: number;
  height: number;
  width: number;
  channels: number;
  loss: 'ns' | 'hinge';
  /** Batch-norm running-statistics momentum (PyTorch convention: new = (1−m)·old + m·batch). */
  bnMomentum: number;
}

export const defaultCganConfig: CganConfig = {
  latentDim: 64,
  numClasses: 10,
  gWidth: 32,
  dWidth: 32,
  height: 28,
  width: 28,
  channels: 1,
  stages: 2,
  loss: 'ns',
  bnMomentum: 0.1,
};

/**
 * Stride-2 stages for a row shape: as many as keep the generator's first feature map at least 4×4 and
 * integral (28 → 2 stages from 7×7; 32 → 3 from 4×4; 64 → 4 from 4×4; 16 → 2 from 4×4) — the DCGAN
 * layout (Radford et al. 2016) of a 4×4 start doubling to the output.
 *
 * @throws {Error} when height or width is not a multiple of 4 (no integral start map with 2 stages)
 */
export function cganStagesFor(height: number, width: number): number {
  let s = 0;
  while (
    height % 2 ** (s + 1) === 0 &&
    width % 2 ** (s + 1) === 0 &&
    Math.min(height, width) / 2 ** (s + 1) >= 4
  )
    s++;
  if (s < 2) {
    throw new Error(
      `the cGAN needs rows whose height and width are multiples of 4 and at least 16, not ${height}×${width} (pass --size)`,
    );
  }
  return s;
}

/** A config for rows of `shape` and `numClasses` classes, from the defaults and `over`. */
export function cganConfigFor(
  shape: readonly [number, number, number],
  numClasses: number,
  over: Partial<Omit<CganConfig, 'height' | 'width' | 'channels' | 'numClasses' | 'stages'>> = {},
): CganConfig {
  const [height, width, channels] = shape;
  return {
    ...defaultCganConfig,
    ...over,
    height,
    width,
    channels,
    numClasses,
    stages: cganStagesFor(height, width),
  };
}
