import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { NativeModulesLayer } from '../../infra/functions/nativeModulesLayer.ts';
import { manifestPath } from '../../infra/functions/nativeLayerPackages.ts';
import { Stack } from 'aws-cdk-lib';
import { scratchDir, stackUnderTest, testApp } from './stackUnderTest.ts';
import { logicalIdOf, resourceOf } from './templateQueries.ts';

function layerIn(dir: string) {
  return () => new NativeModulesLayer(new Stack(testApp(), 'Layered'), 'Native', { dir });
}

describe('the native-modules layer', () => {
  it('is attached to both functions and declared for arm64 on Node.js 22', () => {
    // Prepare
    const { stack, template } = stackUnderTest();
    const layers = (fn: typeof stack.functions.ingest) => resourceOf(template, logicalIdOf(stack, fn)).Properties.Layers;

    // Assess
    template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleArchitectures: ['arm64'],
      CompatibleRuntimes: ['nodejs22.x'],
      Description: Match.stringLikeRegexp('^ltv-pulse native modules for linux-arm64-glibc: @duckdb/node-api@'),
    });
    expect(layers(stack.functions.ingest)).toHaveLength(1);
    expect(layers(stack.functions.weekly)).toEqual(layers(stack.functions.ingest));
  });

  it('stops the synth when the layer was never built, saying how to build it', () => {
    // Prepare
    const dir = scratchDir('no-layer-');

    // Act, Assess
    expect(layerIn(dir)).toThrow(/native-modules layer is missing in .*: run `npm run build:native-layer`/);
  });

  it('stops the synth when the layer was built for another platform or other versions than the lock pins', () => {
    // Prepare
    const dir = scratchDir('stale-layer-');
    mkdirSync(path.join(dir, 'nodejs'));
    writeFileSync(manifestPath(dir), JSON.stringify({ platform: 'linux-x64-glibc', packages: [{ location: 'node_modules/@duckdb/node-api', version: '1.0.0' }] }));

    // Act, Assess
    expect(layerIn(dir)).toThrow(/was built for linux-x64-glibc from other package versions than package-lock.json pins for linux-arm64-glibc: run `npm run build:native-layer` again/);
  });
});
