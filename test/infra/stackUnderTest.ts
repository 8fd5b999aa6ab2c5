// Builds the stack the tests assert on: valid settings, handler entries pointed at a fixture,
// and asset bundling skipped (`aws:cdk:bundling-stacks`), so a synth takes a second, not an
// esbuild run per function. bundling.test.ts bundles for real.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { afterAll } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseDeploymentConfig, type DeploymentConfig, type DeploymentConfigInput } from '../../infra/config/deploymentConfig.ts';
import { expectedLayer } from '../../infra/functions/nativeLayerBuild.ts';
import { LAMBDA_PLATFORM, manifestPath } from '../../infra/functions/nativeLayerPackages.ts';
import { LtvPulseStack } from '../../infra/ltvPulseStack.ts';
import { PROJECT_ROOT } from '../../infra/projectRoot.ts';

export const FIXTURE_ENTRY = path.join(import.meta.dirname, 'fixtures', 'handler.ts');

export const TEST_ENV = { account: '123456789012', region: 'eu-central-1' } as const;

export function testConfig(overrides: Partial<DeploymentConfigInput> = {}): DeploymentConfig {
  return parseDeploymentConfig({
    sender: { name: 'ltv-pulse', address: 'reports@acme.example' },
    recipients: [{ name: 'Board', address: 'board@acme.example' }],
    ...overrides,
  });
}

// Everything the infra tests write (cloud assemblies, layer folders) goes under one folder per
// test file, removed when the file's tests end: an App without an outdir leaves a `cdk.out`
// folder in the system's temporary folder on every synth.
const scratchRoot = mkdtempSync(path.join(os.tmpdir(), 'ltv-infra-test-'));
afterAll(() => rmSync(scratchRoot, { recursive: true, force: true }));

/** A fresh folder under this test file's scratch root. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(path.join(scratchRoot, prefix));
}

/** An App whose cloud assembly goes to the scratch root. */
export function testApp(props: AppProps = {}): App {
  return new App({ outdir: scratchDir('cdk.out-'), ...props });
}

let standIn: string | undefined;

/**
 * A layer folder whose manifest matches the lock but holds no packages: what synth checks and
 * stages, without fetching arm64 binaries (nativeModulesLayer.test.ts and bundling.test.ts build real ones).
 */
export function standInLayerDir(): string {
  if (standIn === undefined) {
    standIn = scratchDir('layer-');
    mkdirSync(path.join(standIn, 'nodejs'), { recursive: true });
    writeFileSync(manifestPath(standIn), JSON.stringify(expectedLayer(PROJECT_ROOT, LAMBDA_PLATFORM).manifest));
  }
  return standIn;
}

export interface StackUnderTest {
  app: App;
  stack: LtvPulseStack;
  template: Template;
}

export interface StackOptions {
  /** Run cdk-nag's AWS Solutions checks on synth. */
  nag?: boolean;
  /** Bundle the functions with esbuild (slow); otherwise bundling is skipped. */
  bundle?: boolean;
  /** Handler entries; the fixture by default. */
  entries?: { ingest: string; weekly: string };
  /** Where the cloud assembly goes; a fresh folder under the scratch root by default. */
  outdir?: string;
}

export function stackUnderTest(overrides: Partial<DeploymentConfigInput> = {}, options: StackOptions = {}): StackUnderTest {
  const config = testConfig(overrides);
  const app = testApp({
    context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
    ...(options.outdir !== undefined ? { outdir: options.outdir } : {}),
  });
  const stack = new LtvPulseStack(app, config.stackName, {
    config,
    env: TEST_ENV,
    handlerEntries: options.entries ?? { ingest: FIXTURE_ENTRY, weekly: FIXTURE_ENTRY },
    nativeLayerDir: standInLayerDir(),
  });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, template: Template.fromStack(stack) };
}
