/**
 * The one way goe imports TensorFlow.js. The `@tensorflow/tfjs` union package, not `tfjs-core` alone:
 * only the union registers the chained ops (`tensor.flatten()`…) that tfjs-layers calls, e.g. in the
 * Orthogonal initializer of a GRU. Backends are chosen by `runtime/backend`, not by import order.
 */
export * from '@tensorflow/tfjs';
