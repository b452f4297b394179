import * as tf from '../../runtime/tf.js';
import type { LmConfig } from './config.js';
import type { DropoutFn } from './model.js';

/**
 * The dropout of step `step`'s rows (shard `shard` of a data-parallel step; 0 on one thread): tf.dropout seeded
 * by (seed, step, site, shard), uint32 arithmetic keeping the sites and shards distinct.
 */
export function lmDropout(c: LmConfig, seed: number, step: number, shard = 0): DropoutFn {
  return (x, site) =>
    c.dropout > 0
      ? tf.dropout(x, c.dropout, undefined, ((seed * 7919 + step) * 64 + site + shard * 0x9e3779b1) >>> 0)
      : x;
}
