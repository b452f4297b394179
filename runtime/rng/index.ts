/**
 * Counter-based random streams keyed by `(seed, index)`: the determinism promise of goe.
 *
 * Sample `i` of a request with seed `s` draws from its own Philox4x32-10 stream keyed by
 * `(s, purpose)` with counter `(i, block)`, so its latents, class and tokens depend only on `(s, i)`,
 * never on batch size, slice start, call order or which machine made it. A batch `[start, start+count)`
 * therefore equals the same rows cut from any larger batch, and a broken stream can resume at any index.
 *
 * The values are computed in plain JavaScript (32-bit integer Philox, float64 Box–Muller and softmax)
 * before any tensor is made, so they are the same whatever TF.js backend (cpu, wasm, node, node-gpu)
 * later consumes them; use `tf.tensor(normalRows(...), [count, dim])` rather than `tf.random*`
 * (which treats seed 0 as unseeded) or `tf.multinomial` (which differs by backend). The integer parts are
 * bit-exact everywhere; the normal deviates use `Math.log/sqrt/sin/cos`, which Node's V8 computes with
 * the same fdlibm-derived code on every platform.
 *
 * `seed` is a uint32 and 0 is a valid seed. Invalid arguments throw {@link RngArgumentError}.
 *
 * @module
 */
export { categoricalFromUniform, softmax } from './categorical.js';
export { RngArgumentError } from './errors.js';
export { mulhi32, PHILOX_ROUNDS, philox4x32 } from './philox.js';
export { Purpose } from './purpose.js';
export { normalRows, uniformIntRows } from './rows.js';
export { SampleStream, sampleStream } from './stream.js';
