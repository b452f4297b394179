import { relative } from 'node:path';
import { buildLambdaBundle, DEFAULT_BUNDLE_DIR } from '../lambda/bundle.js';

// `npm run infra:bundle [-- DIR]`: builds the Lambda asset folder (default infra/dist/lambda) and says
// what is in it; `cdk synth -c lambdaBundleDir=DIR` then uses it as it is.
const started = performance.now();
const bundle = buildLambdaBundle(process.argv[2] ?? DEFAULT_BUNDLE_DIR);
process.stdout.write(`${relative(process.cwd(), bundle.dir) || '.'}\n`);
process.stderr.write(
  `lambda bundle: ${(bundle.bytes / 2 ** 20).toFixed(1)} MiB, handler ${bundle.handler}, ` +
    `${Math.round(performance.now() - started)} ms\n`,
);
