import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Key prefix of the generators (`zoo/<id>/manifest.json`, weights), as `aws s3 sync` uploads them. */
export const ZOO_PREFIX = 'zoo/';
/** Key prefix of the response cache: the API writes `cache/<etag>` and `cache/<etag>.sha256`. */
export const CACHE_PREFIX = 'cache/';

/** Props of {@link GoeBucket}. */
export interface GoeBucketProps {
  bucketName?: string;
  /** Days before a cached response expires; a miss regenerates the same bytes, so this only trades cost. */
  cacheExpiryDays: number;
}

/**
 * The one bucket every instance shares (DESIGN.md, "Scale"): the zoo under `zoo/` and the response cache
 * under `cache/`. Versioned, so an overwritten generator can be restored; S3-managed encryption; no public
 * access; TLS required by bucket policy. Retained when the stack is deleted: it holds the zoo.
 */
export class GoeBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: GoeBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-cache',
          prefix: CACHE_PREFIX,
          expiration: Duration.days(props.cacheExpiryDays),
          // Versioning is bucket-wide; a cache entry's old versions are worth nothing.
          noncurrentVersionExpiration: Duration.days(1),
        },
        { id: 'zoo-old-versions', prefix: ZOO_PREFIX, noncurrentVersionExpiration: Duration.days(90) },
        // A stream cut off mid-upload leaves multipart parts that are billed until aborted.
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }
}
