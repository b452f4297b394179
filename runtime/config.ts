/**
 * goe's configuration from the environment: every `GOE_*` variable it reads, listed once with what it
 * does (`goe --help` prints this list), and the one function that reads them. Code never reads
 * `process.env.GOE_*` itself; functions that take an `env` argument (the API's options, the store)
 * pass it here, so tests can give their own.
 */

/** Where variables come from: the process's environment, or a test's record. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Every variable goe reads: name, the values it takes, and what it does. */
export const GOE_VARIABLES = [
  {
    name: 'GOE_BACKEND',
    values: 'auto|node-gpu|node|wasm|cpu',
    what: 'TF.js backend (auto: the fastest that starts)',
  },
  {
    name: 'GOE_LOG',
    values: 'info|debug|warn|error|silent',
    what: 'log level on stderr; debug adds stack traces',
  },
  { name: 'GOE_ZOO', values: 'DIR', what: 'the model zoo (default: the bundled zoo/)' },
  {
    name: 'GOE_STORE',
    values: 'file://DIR|s3://bucket/prefix|none',
    what: 'response cache of goe serve (default: store/ in GOE_CACHE_DIR)',
  },
  { name: 'GOE_S3_ENDPOINT', values: 'URL', what: 'S3-compatible endpoint for s3:// stores' },
  {
    name: 'GOE_CACHE_DIR',
    values: 'DIR',
    what: 'downloaded data sets and goe pull responses (default ~/.cache/goe)',
  },
  {
    name: 'GOE_PYTHON',
    values: 'PATH',
    what: 'python3 with torch/numpy/sklearn (benchmark peers, reference checks)',
  },
  { name: 'GOE_FASHION_MNIST_DIR', values: 'DIR', what: 'Fashion-MNIST IDX files' },
  { name: 'GOE_MNIST_DIR', values: 'DIR', what: 'MNIST test IDX files' },
  { name: 'GOE_NATURAL_DIR', values: 'DIR', what: 'photographs for natural outliers' },
  { name: 'GOE_API_KEYS', values: 'KEY,KEY…', what: 'goe serve: accepted bearer keys (unset: no auth)' },
  { name: 'GOE_API_KEY', values: 'KEY', what: 'goe pull: the bearer key to send' },
  { name: 'GOE_MAX_COUNT', values: 'N', what: 'goe serve: largest count (default 1000000)' },
  { name: 'GOE_RATE_LIMIT', values: 'X', what: 'goe serve: requests per second per client (default 50)' },
  { name: 'GOE_RATE_BURST', values: 'N', what: 'goe serve: request burst per client (default 100)' },
  { name: 'GOE_MAX_CONCURRENCY', values: 'N', what: 'goe serve: open requests per client (default 16)' },
  {
    name: 'GOE_ADMIN_KEY',
    values: 'KEY',
    what: 'goe serve: admin key of PUT|DELETE /models (unset: closed)',
  },
  {
    name: 'GOE_MAX_MODEL_BYTES',
    values: 'N',
    what: 'goe serve: largest model upload (default 256 MiB)',
  },
  {
    name: 'GOE_ORT_PROVIDERS',
    values: 'cuda,cpu|cpu',
    what: 'ONNX Runtime execution providers (default cpu)',
  },
  {
    name: 'GOE_RUNTIME',
    values: 'auto|tfjs|onnx',
    what: "goe's image generators: their ONNX twin on ONNX Runtime (auto: when usable) or TF.js",
  },
  {
    name: 'GOE_WORKERS',
    values: 'N',
    what: 'compute worker threads for generation (default: one per core; 0 = in-thread)',
  },
] as const;

/** The name of a variable goe reads. */
export type GoeVariable = (typeof GOE_VARIABLES)[number]['name'];

/** `name`'s value in `env` (default: the process's), trimmed; undefined when unset or blank. */
export function goeEnv(name: GoeVariable, env: Env = process.env): string | undefined {
  return env[name]?.trim() || undefined;
}

/** The variables as `goe --help` shows them: one `NAME=values  what` line each. */
export function describeVariables(): string {
  const width = Math.max(...GOE_VARIABLES.map((v) => `${v.name}=${v.values}`.length));
  return GOE_VARIABLES.map((v) => `  ${`${v.name}=${v.values}`.padEnd(width)}  ${v.what}`).join('\n');
}
