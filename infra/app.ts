// `npx cdk synth` / `npx cdk deploy` entry point. Settings come from cdk.json context and are
// validated before anything is synthesised; cdk-nag's AWS Solutions checks run on every synth,
// so a finding nobody acknowledged (with a reason) stops the deployment.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeploymentConfigError, readDeploymentConfig } from './config/deploymentConfig.ts';
import { LtvPulseStack } from './ltvPulseStack.ts';

const app = new App();
try {
  const config = readDeploymentConfig(app.node.getAllContext() as Record<string, unknown>);
  new LtvPulseStack(app, config.stackName, {
    config,
    description: 'ltv-pulse: weekly customer-lifetime-value reporting (exports, lake, Athena, Lambda, SES)',
  });
} catch (err) {
  if (err instanceof DeploymentConfigError) {
    // The message is the whole explanation; a stack trace would only bury it.
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
