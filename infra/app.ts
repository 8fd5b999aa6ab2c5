// `npx cdk synth` / `npx cdk deploy` entry point. Settings come from cdk.json context and are
// validated before anything is synthesised.
import { App } from 'aws-cdk-lib';
import { z } from 'zod';
import { LtvPulseStack } from './ltvPulseStack.ts';

const contextSchema = z.object({
  stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must start with a letter and hold only letters, digits and hyphens'),
  resultsRetentionDays: z.number().int().min(1).max(3650),
});

const app = new App();
const raw = {
  stackName: app.node.tryGetContext('ltv-pulse:stackName') ?? 'LtvPulse',
  resultsRetentionDays: Number(app.node.tryGetContext('ltv-pulse:resultsRetentionDays') ?? 30),
};
const parsed = contextSchema.safeParse(raw);
if (!parsed.success) {
  const problems = parsed.error.issues.map((i) => `  - ltv-pulse:${i.path.join('.')}: ${i.message}`).join('\n');
  throw new Error(`Invalid cdk.json context:\n${problems}`);
}
new LtvPulseStack(app, parsed.data.stackName, { resultsRetentionDays: parsed.data.resultsRetentionDays });
