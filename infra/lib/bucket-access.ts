import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { CACHE_PREFIX, ZOO_PREFIX } from './bucket.js';

/**
 * Least privilege for a compute role (Lambda, ECS task): read `zoo/*`; read, write and delete
 * `cache/*`; list only under those two prefixes. Nothing else in the bucket, no bucket configuration.
 *
 * - `s3:DeleteObject` on `cache/*`: the response cache deletes an entry whose digest does not match
 *   (api/cache/response-cache.ts); without it that delete fails and the cache backs off for 30 s.
 * - `s3:AbortMultipartUpload` on `cache/*`: a cancelled stream aborts its multipart upload.
 * - `s3:ListBucket` (prefix-scoped): the zoo is copied by listing `zoo/`, and S3 answers a GET of a
 *   missing key with 404 only to callers allowed to list; without it every cache miss reads as 403,
 *   which the cache treats as an unavailable store. That the prefix-scoped grant is enough for the 404
 *   is reported by others but not verified here (infra/README.md, "What was verified").
 */
export function grantComputeAccess(grantee: iam.IGrantable, bucket: s3.IBucket): void {
  const principal = grantee.grantPrincipal;
  principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadZoo',
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${ZOO_PREFIX}*`)],
    }),
  );
  principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadWriteCache',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [bucket.arnForObjects(`${CACHE_PREFIX}*`)],
    }),
  );
  principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ListZooAndCache',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${ZOO_PREFIX}*`, `${CACHE_PREFIX}*`] } },
    }),
  );
}
