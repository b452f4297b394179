#!/bin/sh
# Entrypoint of both images. With GOE_ZOO_S3 (s3://bucket/zoo) set, the generators are copied from S3
# first: in AWS the bucket's zoo/ is their source of truth, shared by Lambda and every container.
# Without it the image serves the zoo it was built with. Then it runs the command (`goe serve …`).
set -eu
if [ -n "${GOE_ZOO_S3:-}" ]; then
  export GOE_ZOO="${GOE_ZOO:-/tmp/goe-zoo}"
  node --import tsx /app/infra/bin/sync-zoo.ts "$GOE_ZOO_S3" "$GOE_ZOO"
fi
exec "$@"
