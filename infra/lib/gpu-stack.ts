import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { REPO_ROOT } from '../lambda/bundle.js';
import { ZOO_PREFIX } from './bucket.js';
import { grantComputeAccess } from './bucket-access.js';
import type { GoeConfig } from './config.js';
import { retentionDays } from './log-retention.js';

/** The port `goe serve` listens on in the container. */
export const CONTAINER_PORT = 8080;

/** The container health check, the same as the Dockerfiles' HEALTHCHECK (node:*-slim has no curl). */
export const HEALTH_CHECK_COMMAND = [
  'CMD',
  'node',
  '-e',
  `fetch('http://127.0.0.1:${CONTAINER_PORT}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
];

/** Props of {@link GpuStack}. */
export interface GpuStackProps extends StackProps {
  config: GoeConfig;
  bucket: s3.IBucket;
  apiKeys: secretsmanager.ISecret;
}

/**
 * The same app in a container with `@tensorflow/tfjs-node-gpu` (infra/docker/Dockerfile.gpu) on ECS,
 * on EC2 GPU instances (g4dn.xlarge: one T4) that an ECS capacity provider adds and removes as tasks
 * need them. One task per instance (`gpuCount: 1`), scaled on requests per task and CPU, behind an
 * internet-facing ALB that only speaks HTTPS (HTTP redirects). Hosts and tasks sit in private subnets.
 */
export class GpuStack extends Stack {
  readonly service: ecs.Ec2Service;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;

  constructor(scope: Construct, id: string, props: GpuStackProps) {
    super(scope, id, props);
    const { config, bucket, apiKeys } = props;
    const { gpu } = config;
    if (!gpu.certificateArn) {
      throw new Error(
        'the GPU stack needs an ACM certificate for HTTPS: pass -c certificateArn=arn:aws:acm:… (or -c gpu=false)',
      );
    }

    const vpc = new ec2.Vpc(this, 'Vpc', {
      // Without an account (offline synth) this is Fn::GetAZs; with one, CDK looks the AZs up at synth.
      maxAzs: 2,
      natGateways: gpu.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      // Free, and keeps zoo and cache traffic off the NAT gateway (which bills per GB).
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });

    const cluster = new ecs.Cluster(this, 'Cluster', { vpc });
    const hostRole = new iam.Role(this, 'HostRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    });
    const hosts = new autoscaling.AutoScalingGroup(this, 'GpuHosts', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate: new ec2.LaunchTemplate(this, 'GpuHost', {
        instanceType: new ec2.InstanceType(gpu.instanceType),
        // The ECS GPU AMI ships the NVIDIA driver and container toolkit; CUDA and cuDNN come with the image.
        machineImage: ecs.EcsOptimizedImage.amazonLinux2023(ecs.AmiHardwareType.GPU),
        userData: ec2.UserData.forLinux(),
        role: hostRole,
        requireImdsv2: true,
        blockDevices: [
          {
            // The CUDA image is several GB; the AMI's default 30 GB fills after a few deployments.
            deviceName: '/dev/xvda',
            volume: ec2.BlockDeviceVolume.ebs(60, {
              encrypted: true,
              volumeType: ec2.EbsDeviceVolumeType.GP3,
            }),
          },
        ],
      }),
      minCapacity: gpu.minTasks,
      // One spare instance, so a rolling deployment can start the new task before stopping the old.
      maxCapacity: gpu.maxTasks + 1,
    });
    const capacity = new ecs.AsgCapacityProvider(this, 'GpuCapacity', {
      autoScalingGroup: hosts,
      machineImageType: ecs.MachineImageType.AMAZON_LINUX_2,
      enableManagedScaling: true,
      enableManagedTerminationProtection: true,
      targetCapacityPercent: 100,
    });
    cluster.addAsgCapacityProvider(capacity);

    const task = new ecs.Ec2TaskDefinition(this, 'Task', { networkMode: ecs.NetworkMode.AWS_VPC });
    task.addContainer('api', {
      image: gpu.image
        ? ecs.ContainerImage.fromRegistry(gpu.image)
        : ecs.ContainerImage.fromAsset(REPO_ROOT, {
            file: 'infra/docker/Dockerfile.gpu',
            platform: Platform.LINUX_AMD64,
            // .dockerignore at the root covers docker builds; this keeps synth from copying the same.
            exclude: DOCKER_CONTEXT_EXCLUDES,
          }),
      gpuCount: 1,
      // g4dn.xlarge has 16 GiB; leave room for the ECS agent and the driver.
      memoryReservationMiB: 12 * 1024,
      portMappings: [{ containerPort: CONTAINER_PORT }],
      environment: {
        // A GPU service that silently fell back to the CPU would be slow and cost GPU prices.
        GOE_BACKEND: 'node-gpu',
        GOE_STORE: `s3://${bucket.bucketName}`,
        GOE_ZOO_S3: `s3://${bucket.bucketName}/${ZOO_PREFIX}`,
        GOE_ZOO: '/tmp/goe-zoo',
      },
      // Injected by the ECS agent at task start from Secrets Manager: the template holds the ARN only.
      secrets: { GOE_API_KEYS: ecs.Secret.fromSecretsManager(apiKeys) },
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'goe',
        logGroup: new logs.LogGroup(this, 'Logs', {
          retention: retentionDays(config.logRetentionDays),
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      }),
      healthCheck: {
        command: HEALTH_CHECK_COMMAND,
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        // Copying the zoo and starting libtensorflow with CUDA takes a while on a cold host.
        startPeriod: Duration.seconds(120),
      },
      // Node as PID 1 gets no default signal handling; an init forwards SIGTERM to `goe serve`.
      linuxParameters: new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
    });
    grantComputeAccess(task.taskRole, bucket);

    this.service = new ecs.Ec2Service(this, 'Service', {
      cluster,
      taskDefinition: task,
      desiredCount: gpu.minTasks,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      capacityProviderStrategies: [{ capacityProvider: capacity.capacityProviderName, weight: 1 }],
      // Start the new task (on the spare host) before stopping the old one: no gap with one task.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      // Long streams: the default 60 s would cut a response the generator pauses on (GC, a slow client).
      idleTimeout: Duration.minutes(5),
      dropInvalidHeaderFields: true,
    });
    const https = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(gpu.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    });
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    const targets = https.addTargets('Api', {
      port: CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service.loadBalancerTarget({ containerName: 'api', containerPort: CONTAINER_PORT })],
      healthCheck: { path: '/healthz', healthyHttpCodes: '200', interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(30),
    });

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: gpu.minTasks,
      maxCapacity: gpu.maxTasks,
    });
    scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: gpu.requestsPerTarget,
      targetGroup: targets,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
    // The request count misses a few long streams keeping a task busy; CPU (JS encoding) catches those.
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });

    new CfnOutput(this, 'LoadBalancerDns', {
      value: this.loadBalancer.loadBalancerDnsName,
      description: 'point the certificate’s DNS name at this (CNAME or Route 53 alias)',
    });
  }
}

/** Paths never sent to a docker build of the repository (kept in step with /.dockerignore). */
export const DOCKER_CONTEXT_EXCLUDES = [
  '.git',
  'node_modules',
  '.goe',
  'tmp',
  'reports',
  'coverage',
  'infra/cdk.out',
  'infra/dist',
  'zoo/*/checkpoint',
  '**/*.npy',
  '**/*.log',
  'probe-*.ts',
  // Tests are not shipped, and copies of them in infra/cdk.out would be collected by vitest.
  'test',
  '**/*.test.ts',
];
