import { App, type AppProps } from 'aws-cdk-lib';
import type { GoeConfig } from './config.js';
import { GpuStack } from './gpu-stack.js';
import { LambdaStack } from './lambda-stack.js';
import { SharedStack } from './shared-stack.js';

/**
 * Context every goe app starts with (the CLI and cdk.json override it). Strong cross-stack references:
 * CloudFormation refuses to delete the shared stack (the bucket, the keys) while a compute stack uses it.
 */
export const GOE_CDK_CONTEXT = { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } as const;

/** A CDK app with {@link GOE_CDK_CONTEXT}; bin/app.ts and the tests both start from it. */
export function createGoeApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...GOE_CDK_CONTEXT, ...props.context } });
}

/** The stacks of one goe deployment. */
export interface GoeStacks {
  shared: SharedStack;
  lambda: LambdaStack;
  /** Absent with `-c gpu=false`. */
  gpu?: GpuStack;
}

/**
 * Adds goe's stacks to `app`: `<prefix>Shared` (bucket, keys), `<prefix>Lambda` and `<prefix>Gpu`.
 * `lambdaBundleDir` is the built Lambda asset folder (infra/lambda/bundle.ts); building it is the
 * caller's job, so tests can synthesise with a stub and bin/app.ts with the real bundle.
 */
export function addGoeStacks(app: App, config: GoeConfig, lambdaBundleDir: string): GoeStacks {
  // No account → no lookups: synth needs no credentials (with only a region, AZs are Fn::GetAZs).
  const env =
    config.account || config.region ? { account: config.account, region: config.region } : undefined;
  const name = (suffix: string) => `${config.stackPrefix}${suffix}`;
  const shared = new SharedStack(app, name('Shared'), {
    env,
    config,
    description: 'goe: S3 bucket (zoo/, cache/) and API keys secret',
  });
  const common = { env, config, bucket: shared.bucket, apiKeys: shared.apiKeys };
  const lambda = new LambdaStack(app, name('Lambda'), {
    ...common,
    bundleDir: lambdaBundleDir,
    description: 'goe: outlier API on Lambda (Function URL, response streaming, wasm)',
  });
  const gpu = config.gpu.enabled
    ? new GpuStack(app, name('Gpu'), {
        ...common,
        description: 'goe: outlier API on ECS GPU instances (tfjs-node-gpu) behind an HTTPS ALB',
      })
    : undefined;
  return { shared, lambda, gpu };
}
