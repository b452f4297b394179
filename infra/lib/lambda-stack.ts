import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { BUNDLE_HANDLER } from '../lambda/bundle.js';
import { ZOO_PREFIX } from './bucket.js';
import { grantComputeAccess } from './bucket-access.js';
import type { GoeConfig } from './config.js';
import { retentionDays } from './log-retention.js';

const RUNTIMES: Record<GoeConfig['lambda']['runtime'], lambda.Runtime> = {
  'nodejs20.x': lambda.Runtime.NODEJS_20_X,
  'nodejs22.x': lambda.Runtime.NODEJS_22_X,
  'nodejs24.x': lambda.Runtime.NODEJS_24_X,
};

/** Props of {@link LambdaStack}. */
export interface LambdaStackProps extends StackProps {
  config: GoeConfig;
  bucket: s3.IBucket;
  apiKeys: secretsmanager.ISecret;
  /** The asset folder made by `buildLambdaBundle` (infra/lambda/bundle.ts). */
  bundleDir: string;
}

/**
 * The Hono app on AWS Lambda: Node 20 (by default), the esbuild bundle of infra/lambda/handler.ts, the wasm backend,
 * behind a Function URL in `RESPONSE_STREAM` mode so rows reach the client as they are generated.
 * The app checks the bearer keys itself (the URL's own auth is IAM-only), so the URL is public and
 * reserved concurrency caps what a flood of requests can cost.
 */
export class LambdaStack extends Stack {
  readonly fn: lambda.Function;
  readonly url: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: LambdaStackProps) {
    super(scope, id, props);
    const { config, bucket, apiKeys } = props;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: retentionDays(config.logRetentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new lambda.Function(this, 'Api', {
      description: 'goe outlier API (Hono, TF.js wasm, response streaming)',
      runtime: RUNTIMES[config.lambda.runtime],
      architecture:
        config.lambda.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      code: lambda.Code.fromAsset(props.bundleDir),
      handler: BUNDLE_HANDLER,
      memorySize: config.lambda.memoryMb,
      timeout: Duration.seconds(config.lambda.timeoutSeconds),
      reservedConcurrentExecutions: config.lambda.reservedConcurrency,
      logGroup,
      environment: {
        GOE_BACKEND: 'wasm',
        GOE_STORE: `s3://${bucket.bucketName}`,
        GOE_ZOO_S3: `s3://${bucket.bucketName}/${ZOO_PREFIX}`,
        GOE_ZOO: '/tmp/goe-zoo',
        // Read at cold start by infra/runtime/cold-start.ts; only the ARN is in the configuration.
        GOE_API_KEYS_SECRET: apiKeys.secretArn,
        GOE_MAX_COUNT: String(config.lambda.maxCount),
      },
    });
    grantComputeAccess(this.fn, bucket);
    apiKeys.grantRead(this.fn);
    this.url = this.fn.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });
    new CfnOutput(this, 'Url', { value: this.url.url });
  }
}
