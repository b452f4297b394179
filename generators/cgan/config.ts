/**
 * The class-conditional GAN's shape. Defaults are sized for a 2-core CPU: a DCGAN-style generator
 * (dense → 7×7×g·2 → two stride-2 transposed convolutions → 28×28×1) with class-conditional batch norm
 * (BigGAN, Brock et al. 2019), and a discriminator that sees the label twice — as input channels and
 * through a projection term (Miyato & Koyama 2018). DESIGN.md: a projection-only discriminator with
 * hinge loss ignored the label for 1,500 steps; label channels + projection + the non-saturating loss
 * conditioned well. Both losses are available; `ns` is the default.
 */
export interface CganConfig {
  latentDim: number;
  numClasses: number;
  /** Generator width: the 14×14 stage has `gWidth` channels, the 7×7 stage 2·gWidth. */
  gWidth: number;
  /** Discriminator width: conv stages of `dWidth` and 2·dWidth channels, then a 4·dWidth feature layer. */
  dWidth: number;
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
  loss: 'ns',
  bnMomentum: 0.1,
};
