import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDefaults } from './lib/config.js';
import { addGoeStacks, createGoeApp } from './lib/goe-app.js';

/**
 * The synthesised CloudFormation of the three stacks, checked without AWS: one synth for the file (the
 * GPU stack's docker context is staged, not built). The Lambda asset is a stub here; the real bundle is
 * built and invoked in lambda-bundle.test.ts.
 */

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
let dir: string;
let shared: Template;
let lambda: Template;
let gpu: Template;

function stubBundle(root: string): string {
  const bundle = join(root, 'bundle');
  mkdirSync(join(bundle, 'lambda'), { recursive: true });
  writeFileSync(join(bundle, 'lambda', 'index.mjs'), 'export const handler = async () => {};\n');
  return bundle;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'goe-cdk-'));
  const app = createGoeApp({ outdir: join(dir, 'cdk.out') });
  const stacks = addGoeStacks(app, withDefaults({ gpu: { certificateArn: CERT } }), stubBundle(dir));
  shared = Template.fromStack(stacks.shared);
  lambda = Template.fromStack(stacks.lambda);
  gpu = Template.fromStack(stacks.gpu!);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

/** Every statement of every IAM policy in a template (inline role policies included). */
function statements(template: Template): Statement[] {
  const out: Statement[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    out.push(...(policy.Properties.PolicyDocument.Statement as Statement[]));
  }
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    for (const p of role.Properties.Policies ?? []) out.push(...(p.PolicyDocument.Statement as Statement[]));
  }
  return out;
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** What an S3 resource points at: `/zoo/*`, `/cache/*`, `bucket` (the bucket ARN itself) or `*`. */
function s3Scope(resource: unknown): string {
  if (resource === '*') return '*';
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) {
    const last = join[1][join[1].length - 1];
    return typeof last === 'string' ? last : JSON.stringify(last);
  }
  return 'bucket';
}

/** The S3 statements of a compute template, with each resource's scope. */
function s3Statements(template: Template) {
  return statements(template)
    .filter((s) => actions(s).some((a) => a.startsWith('s3:')))
    .map((s) => ({
      actions: actions(s).sort(),
      scopes: (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map(s3Scope),
      condition: s.Condition,
    }));
}

describe('shared stack', () => {
  it('has one versioned, encrypted bucket with public access blocked', () => {
    shared.resourceCountIs('AWS::S3::Bucket', 1);
    shared.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    shared.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('expires cache/ (and old versions) but never current zoo/ objects', () => {
    const [bucket] = Object.values(shared.findResources('AWS::S3::Bucket'));
    const rules = bucket.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    expect(rules).toContainEqual(
      expect.objectContaining({
        Prefix: 'cache/',
        ExpirationInDays: 30,
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        Status: 'Enabled',
      }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
    );
    const zoo = rules.filter((r) => r.Prefix === 'zoo/');
    expect(zoo).toHaveLength(1);
    expect(zoo[0].ExpirationInDays).toBeUndefined();
  });

  it('denies every request that is not over TLS', () => {
    shared.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('creates the API keys secret with a generated value, never a literal one', () => {
    shared.resourceCountIs('AWS::SecretsManager::Secret', 1);
    shared.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 48 }),
      SecretString: Match.absent(),
    });
  });
});

describe('lambda stack', () => {
  it('runs Node 20 with the wasm backend, the bundle handler and reserved concurrency', () => {
    lambda.resourceCountIs('AWS::Lambda::Function', 1);
    lambda.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs20.x',
      Handler: 'lambda/index.handler',
      MemorySize: 2048,
      Timeout: 300,
      ReservedConcurrentExecutions: 10,
      Environment: {
        Variables: Match.objectLike({
          GOE_BACKEND: 'wasm',
          GOE_MAX_COUNT: '4096',
          GOE_ZOO: '/tmp/goe-zoo',
          GOE_API_KEYS_SECRET: Match.anyValue(),
          GOE_STORE: Match.anyValue(),
          GOE_ZOO_S3: Match.anyValue(),
        }),
      },
    });
  });

  it('passes the keys by secret ARN only', () => {
    const [fn] = Object.values(lambda.findResources('AWS::Lambda::Function'));
    expect(fn.Properties.Environment.Variables.GOE_API_KEYS).toBeUndefined();
    expect(JSON.stringify(fn.Properties.Environment.Variables.GOE_API_KEYS_SECRET)).toContain('ApiKeys');
    const secretReads = statements(lambda).filter((s) =>
      actions(s).includes('secretsmanager:GetSecretValue'),
    );
    expect(secretReads).toHaveLength(1);
    expect(secretReads[0].Resource).not.toBe('*');
  });

  it('streams through a public Function URL (the app checks the keys)', () => {
    lambda.hasResourceProperties('AWS::Lambda::Url', { InvokeMode: 'RESPONSE_STREAM', AuthType: 'NONE' });
  });

  it('keeps its logs for a bounded time', () => {
    lambda.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    lambda.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: Match.objectLike({ Ref: Match.stringLikeRegexp('^Logs') }) },
    });
  });
});

describe('least privilege of the compute roles', () => {
  for (const [name, template] of [
    ['lambda', () => lambda],
    ['gpu task', () => gpu],
  ] as const) {
    it(`${name}: reads zoo/*, reads and writes cache/*, lists only those prefixes`, () => {
      const s3 = s3Statements(template());
      expect(s3.length).toBeGreaterThan(0);
      for (const s of s3) {
        expect(s.actions).not.toContain('s3:*');
        expect(s.scopes).not.toContain('*');
        for (const scope of s.scopes) expect(['/zoo/*', '/cache/*', 'bucket']).toContain(scope);
      }
      expect(s3.filter((s) => s.scopes.includes('/zoo/*')).flatMap((s) => s.actions)).toEqual([
        's3:GetObject',
      ]);
      expect(s3.filter((s) => s.scopes.includes('/cache/*')).flatMap((s) => s.actions)).toEqual([
        's3:AbortMultipartUpload',
        's3:DeleteObject',
        's3:GetObject',
        's3:PutObject',
      ]);
      const list = s3.filter((s) => s.scopes.includes('bucket'));
      expect(list.flatMap((s) => s.actions)).toEqual(['s3:ListBucket']);
      expect(list[0].condition).toEqual({ StringLike: { 's3:prefix': ['zoo/*', 'cache/*'] } });
    });
  }
});

describe('gpu stack', () => {
  it('runs goe serve on a GPU per task, with the keys injected from the secret', () => {
    gpu.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['EC2'],
      NetworkMode: 'awsvpc',
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'api',
          ResourceRequirements: [{ Type: 'GPU', Value: '1' }],
          PortMappings: [Match.objectLike({ ContainerPort: 8080 })],
          Environment: Match.arrayWith([{ Name: 'GOE_BACKEND', Value: 'node-gpu' }]),
          Secrets: [{ Name: 'GOE_API_KEYS', ValueFrom: Match.anyValue() }],
          HealthCheck: Match.objectLike({ Command: Match.arrayWith([Match.stringLikeRegexp('/healthz')]) }),
        }),
      ],
    });
  });

  it('places tasks on g4dn.xlarge hosts with the ECS GPU AMI through a managed capacity provider', () => {
    gpu.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: 'g4dn.xlarge',
        MetadataOptions: { HttpTokens: 'required' },
      }),
    });
    const params = JSON.stringify(gpu.toJSON().Parameters);
    expect(params).toContain('/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id');
    gpu.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({ ManagedScaling: Match.objectLike({ Status: 'ENABLED' }) }),
    });
    gpu.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [Match.objectLike({ Weight: 1 })],
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 100, MaximumPercent: 200 }),
    });
  });

  it('scales on ALB requests per task and on CPU', () => {
    gpu.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 2,
    });
    gpu.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
      }),
    });
    gpu.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      }),
    });
  });

  it('serves HTTPS with the given certificate, redirects HTTP, checks /healthz', () => {
    gpu.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: CERT }],
      SslPolicy: Match.stringLikeRegexp('TLS13'),
    });
    gpu.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [
        Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS' }) }),
      ],
    });
    gpu.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/healthz',
      Port: 8080,
    });
  });

  it('keeps the containers in private subnets and their logs for a bounded time', () => {
    gpu.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
    gpu.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

describe('configuration', () => {
  it('imports an existing secret by ARN instead of creating one, and can leave the GPU stack out', () => {
    const app = createGoeApp({ outdir: join(dir, 'cdk.out.2') });
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:goe/api-keys-AbCdEf';
    const stacks = addGoeStacks(
      app,
      withDefaults({ apiKeysSecret: arn, gpu: { enabled: false }, lambda: { runtime: 'nodejs22.x' } }),
      join(dir, 'bundle'),
    );
    expect(stacks.gpu).toBeUndefined();
    Template.fromStack(stacks.shared).resourceCountIs('AWS::SecretsManager::Secret', 0);
    const fn = Template.fromStack(stacks.lambda);
    fn.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Environment: { Variables: Match.objectLike({ GOE_API_KEYS_SECRET: arn }) },
    });
  });

  it('refuses a GPU stack without a certificate', () => {
    const app = createGoeApp({ outdir: join(dir, 'cdk.out.3') });
    expect(() => addGoeStacks(app, withDefaults(), join(dir, 'bundle'))).toThrow(/certificateArn/);
  });
});
