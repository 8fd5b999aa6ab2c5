import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOYMENT_SETTINGS } from '../../infra/config/deploymentConfig.ts';
import { CUSTOM_METRICS } from '../../infra/operations/customMetrics.ts';
import { stackUnderTest } from './stackUnderTest.ts';

const doc = readFileSync(path.join(import.meta.dirname, '../../docs/deploy.md'), 'utf8');

describe('docs/deploy.md', () => {
  it.each(DEPLOYMENT_SETTINGS)('documents the setting %s in its table', (setting) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${setting}\` \\|`, 'm'));
  });

  it('names the metrics namespace, dimension and metric names the alarms read', () => {
    for (const name of [CUSTOM_METRICS.namespace, CUSTOM_METRICS.dimension, CUSTOM_METRICS.rowsIngested, CUSTOM_METRICS.rejectedRowRatio, CUSTOM_METRICS.deploymentVariable]) {
      expect(doc).toContain(`\`${name}\``);
    }
  });

  it('names only outputs the stack has in its commands', () => {
    // Prepare
    const outputs = Object.keys(stackUnderTest().template.findOutputs('*'));
    const named = [...doc.matchAll(/<(\w+) output>/g)].map((m) => m[1]!);

    // Assess
    expect(named.length).toBeGreaterThan(5);
    for (const name of new Set(named)) expect(outputs, name).toContain(name);
  });
});
