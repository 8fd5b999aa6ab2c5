// `npm run smoke -- --stack <name> [--region <region>] [--wait-seconds 300]`: the smoke test of a
// deployment in a real account (scripts/smokeTest.ts, docs/deploy.md). Exit 0 when every step held.
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { runSmokeTest } from './smokeTest.ts';

const { values } = parseArgs({ options: { stack: { type: 'string' }, region: { type: 'string' }, 'wait-seconds': { type: 'string', default: '300' } } });
if (!values.stack) {
  console.error('usage: npm run smoke -- --stack <stack name> [--region <region>] [--wait-seconds 300]');
  process.exit(2);
}
const waitSeconds = Number(values['wait-seconds']);
if (!Number.isInteger(waitSeconds) || waitSeconds < 10) {
  console.error(`--wait-seconds must be a whole number of seconds, at least 10, not "${values['wait-seconds']}"`);
  process.exit(2);
}
const region = values.region ? { region: values.region } : {};
const steps = await runSmokeTest(
  { cloudFormation: new CloudFormationClient(region), s3: new S3Client(region), lambda: new LambdaClient(region), cloudWatch: new CloudWatchClient(region) },
  { stack: values.stack, now: new Date(), waitMs: waitSeconds * 1000, pollMs: 5_000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), log: (line) => console.log(line) },
);
const failed = steps.filter((s) => !s.ok);
console.log(failed.length === 0 ? `smoke test passed: ${steps.length} steps` : `smoke test failed at "${failed[0]!.step}"`);
process.exit(failed.length === 0 ? 0 : 1);
