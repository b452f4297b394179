import { buildLambdaBundle } from '../lambda/bundle.js';
import { configFromContext } from '../lib/config.js';
import { addGoeStacks, createGoeApp } from '../lib/goe-app.js';

// The CDK app (`npm run infra:synth`, `npx cdk deploy --app "npx tsx infra/bin/app.ts"`). Configuration
// is CDK context (infra/lib/config.ts); the Lambda bundle is rebuilt on every synth unless
// -c lambdaBundleDir=… names a pre-built one, so a deploy never ships stale code.
const app = createGoeApp();
const config = configFromContext(app.node);
const bundleDir = config.lambda.bundleDir ?? buildLambdaBundle().dir;
addGoeStacks(app, config, bundleDir);
app.synth();
