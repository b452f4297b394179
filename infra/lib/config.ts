import type { Node } from 'constructs';

/** Everything the goe stacks are configured by; `cdk … -c key=value` sets each (see infra/README.md). */
export interface GoeConfig {
  /** Deploy target; both unset → environment-agnostic stacks (synth needs no account or lookups). */
  account?: string;
  region?: string;
  /** Prefix of the stack names (`Goe` → `GoeShared`, `GoeLambda`, `GoeGpu`). */
  stackPrefix: string;
  /** An existing bucket name to create; default a generated name (bucket names are global). */
  bucketName?: string;
  /** Days a cached response lives in `cache/` before S3 expires it. */
  cacheExpiryDays: number;
  /** Days CloudWatch keeps the Lambda's and the containers' logs. */
  logRetentionDays: number;
  /**
   * The Secrets Manager secret holding the API keys (`key1,key2`), by ARN or name. Unset → the shared
   * stack creates one with a generated key (read it with `aws secretsmanager get-secret-value`).
   */
  apiKeysSecret?: string;
  lambda: {
    /** A pre-built asset folder (`npm run infra:bundle`); unset → built at synth time into infra/dist. */
    bundleDir?: string;
    memoryMb: number;
    timeoutSeconds: number;
    /** The cost guard: at most this many instances run at once; more requests get 429/502 from AWS. */
    reservedConcurrency: number;
    /** `GOE_MAX_COUNT` on Lambda: keeps a body under the response-streaming payload limit. */
    maxCount: number;
    architecture: 'x86_64' | 'arm64';
    /**
     * Node 20 is what goe targets (package.json engines) and what the bundle is built for; AWS deprecated
     * the nodejs20.x runtime on 2026-04-30 (creation ends 2027-02-01), and the bundle runs unchanged on
     * nodejs22.x and nodejs24.x.
     */
    runtime: 'nodejs20.x' | 'nodejs22.x' | 'nodejs24.x';
  };
  gpu: {
    enabled: boolean;
    /** ACM certificate (same region) for the HTTPS listener; required when `enabled`. */
    certificateArn?: string;
    /** A pushed image (`123….dkr.ecr….amazonaws.com/goe-gpu:tag`); unset → built from Dockerfile.gpu. */
    image?: string;
    instanceType: string;
    minTasks: number;
    maxTasks: number;
    /** ALB requests per task per minute that scaling aims for. */
    requestsPerTarget: number;
    /** NAT gateways for the private subnets the GPU hosts run in (1 is cheapest; 2 survives an AZ outage). */
    natGateways: number;
  };
}

/** The defaults, chosen for a small first deployment; see the cost notes in infra/README.md. */
export const DEFAULT_CONFIG: GoeConfig = {
  stackPrefix: 'Goe',
  cacheExpiryDays: 30,
  logRetentionDays: 30,
  lambda: {
    memoryMb: 2048,
    timeoutSeconds: 300,
    reservedConcurrency: 10,
    maxCount: 4096,
    architecture: 'x86_64',
    runtime: 'nodejs20.x',
  },
  gpu: {
    enabled: true,
    instanceType: 'g4dn.xlarge',
    minTasks: 1,
    maxTasks: 2,
    requestsPerTarget: 600,
    natGateways: 1,
  },
};

/** A config with some fields replaced (tests, and {@link configFromContext}). */
export function withDefaults(
  overrides: Partial<Omit<GoeConfig, 'lambda' | 'gpu'>> & {
    lambda?: Partial<GoeConfig['lambda']>;
    gpu?: Partial<GoeConfig['gpu']>;
  } = {},
): GoeConfig {
  return {
    ...DEFAULT_CONFIG,
    ...overrides,
    lambda: { ...DEFAULT_CONFIG.lambda, ...overrides.lambda },
    gpu: { ...DEFAULT_CONFIG.gpu, ...overrides.gpu },
  };
}

/**
 * Reads the config from CDK context (`-c key=value` or cdk.json). Keys: `account`, `region`,
 * `stackPrefix`, `bucketName`, `cacheExpiryDays`, `logRetentionDays`, `apiKeysSecret`,
 * `lambdaBundleDir`, `lambdaMemoryMb`, `lambdaTimeoutSeconds`, `lambdaReservedConcurrency`,
 * `lambdaMaxCount`, `lambdaArchitecture`, `lambdaRuntime`, `gpu` (`false` skips the GPU stack), `certificateArn`,
 * `gpuImage`, `gpuInstanceType`, `gpuMinTasks`, `gpuMaxTasks`, `gpuRequestsPerTarget`, `natGateways`.
 *
 * @throws on a malformed number or a value outside its choices, naming the key.
 */
export function configFromContext(node: Node): GoeConfig {
  const str = (key: string): string | undefined => {
    const v = node.tryGetContext(key);
    return v === undefined || v === null || String(v).trim() === '' ? undefined : String(v).trim();
  };
  const int = (key: string, min: number): number | undefined => {
    const raw = str(key);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min)
      throw new Error(`context ${key} must be a whole number >= ${min}, got "${raw}"`);
    return n;
  };
  const oneOf = <T extends string>(key: string, values: readonly T[]): T | undefined => {
    const raw = str(key);
    if (raw !== undefined && !(values as readonly string[]).includes(raw)) {
      throw new Error(`context ${key} must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T | undefined;
  };
  const defined = <T extends object>(o: T): Partial<T> =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return withDefaults({
    ...defined({
      account: str('account'),
      region: str('region'),
      stackPrefix: str('stackPrefix'),
      bucketName: str('bucketName'),
      cacheExpiryDays: int('cacheExpiryDays', 1),
      logRetentionDays: int('logRetentionDays', 1),
      apiKeysSecret: str('apiKeysSecret'),
    }),
    lambda: defined({
      bundleDir: str('lambdaBundleDir'),
      memoryMb: int('lambdaMemoryMb', 128),
      timeoutSeconds: int('lambdaTimeoutSeconds', 1),
      reservedConcurrency: int('lambdaReservedConcurrency', 1),
      maxCount: int('lambdaMaxCount', 1),
      architecture: oneOf('lambdaArchitecture', ['x86_64', 'arm64'] as const),
      runtime: oneOf('lambdaRuntime', ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const),
    }),
    gpu: defined({
      enabled: str('gpu') === undefined ? undefined : str('gpu') !== 'false',
      certificateArn: str('certificateArn'),
      image: str('gpuImage'),
      instanceType: str('gpuInstanceType'),
      minTasks: int('gpuMinTasks', 0),
      maxTasks: int('gpuMaxTasks', 1),
      requestsPerTarget: int('gpuRequestsPerTarget', 1),
      natGateways: int('natGateways', 1),
    }),
  });
}
