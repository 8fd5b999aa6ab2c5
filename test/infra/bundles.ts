// The functions bundled as `cdk synth` bundles them for Lambda (esbuild, locally, no Docker).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LtvPulseStack } from '../../infra/ltvPulseStack.ts';
import { stackUnderTest, type StackOptions } from './stackUnderTest.ts';
import { logicalIdOf, resourceOf } from './templateQueries.ts';

/** The folder of each function's bundled asset in a fresh cloud assembly (`outdir`, for the caller to remove). */
export function bundleFunctions(entries: NonNullable<StackOptions['entries']>): { dirs: Record<'ingest' | 'weekly', string>; outdir: string } {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'ltv-bundles-'));
  const { app, stack, template } = stackUnderTest({}, { bundle: true, entries, outdir });
  const assembly = app.synth();
  const dirOf = (fn: LtvPulseStack['functions']['ingest']) => {
    const key = (resourceOf(template, logicalIdOf(stack, fn)).Properties.Code as { S3Key: string }).S3Key;
    return path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
  };
  return { dirs: { ingest: dirOf(stack.functions.ingest), weekly: dirOf(stack.functions.weekly) }, outdir };
}
