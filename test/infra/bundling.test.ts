// The one place the functions are bundled for real (the other tests skip bundling): esbuild runs
// locally, with no Docker, and produces an ESM bundle that loads and runs.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNativeLayer } from '../../infra/functions/nativeLayerBuild.ts';
import { hostPlatform } from '../../infra/functions/nativeLayerPackages.ts';
import { HANDLER_ENTRIES, NATIVE_EXTERNALS } from '../../infra/functions/pipelineFunctions.ts';
import { PROJECT_ROOT } from '../../infra/projectRoot.ts';
import { bundleFunctions } from './bundles.ts';
import type { StackOptions } from './stackUnderTest.ts';

const BUNDLED_FIXTURE = path.join(import.meta.dirname, 'fixtures', 'bundledHandler.ts');

const assemblies: string[] = [];
afterAll(() => {
  for (const dir of assemblies) rmSync(dir, { recursive: true, force: true });
});

function bundle(entries: NonNullable<StackOptions['entries']>): Record<'ingest' | 'weekly', string> {
  const { dirs, outdir } = bundleFunctions(entries);
  assemblies.push(outdir);
  return dirs;
}

/**
 * Packages a bundle still imports at run time: its top-level `import ... from "x"` statements
 * and `import("x")` calls (error messages that merely mention an import do not count).
 */
function importsOf(code: string): string[] {
  const statics = [...code.matchAll(/(?:^|[;\n])\s*import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+)["']/g)];
  const dynamics = [...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)];
  return [...new Set([...statics, ...dynamics].map((m) => m[1]!))].filter((s) => !s.startsWith('.')).sort();
}

/** Runs the bundle's handler in a fresh Node process, from a folder with no node_modules around. */
function runBundled(dir: string): Record<string, unknown> {
  const url = pathToFileURL(path.join(dir, 'index.mjs')).href;
  const script = `const m = await import(${JSON.stringify(url)}); process.stdout.write(JSON.stringify(await m.handler()));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: os.tmpdir(), encoding: 'utf8' })) as Record<string, unknown>;
}

const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier);

describe('bundling the functions', () => {
  let fixture: Record<'ingest' | 'weekly', string>;

  beforeAll(() => {
    fixture = bundle({ ingest: BUNDLED_FIXTURE, weekly: BUNDLED_FIXTURE });
  });

  it('bundles each function locally into one ESM file with its source map', () => {
    for (const dir of Object.values(fixture)) {
      expect(readdirSync(dir).filter((f) => f.startsWith('index.')).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    }
  });

  it('carries the AWS SDK in the bundle and leaves DuckDB out', () => {
    // Act
    const imports = importsOf(readFileSync(path.join(fixture.ingest, 'index.mjs'), 'utf8'));

    // Assess
    expect(imports.filter((s) => !isBuiltin(s))).toEqual(['@duckdb/node-api']);
  });

  it('produces a bundle that loads and runs on its own: CommonJS packages reach Node built-ins through the require shim', () => {
    // Act
    const result = runBundled(fixture.ingest);

    // Assess
    expect(result).toMatchObject({ s3Client: 'function', duckdb: 'not in the bundle' });
    expect(result.messageBytes).toBeGreaterThan(100);
  });

  it('puts queries/*.sql next to the weekly bundle, where LTV_QUERIES_DIR points', () => {
    // Prepare
    const sql = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();

    // Assess
    expect(sql(path.join(fixture.weekly, 'queries'))).toEqual(sql(path.join(import.meta.dirname, '../../queries')));
    expect(existsSync(path.join(fixture.ingest, 'queries'))).toBe(false);
  });

  describe('the real handlers', () => {
    let real: Record<'ingest' | 'weekly', string>;

    beforeAll(() => {
      real = bundle(HANDLER_ENTRIES);
    });

    it('import nothing at run time but Node built-ins and the declared native modules', () => {
      for (const dir of Object.values(real)) {
        const imports = importsOf(readFileSync(path.join(dir, 'index.mjs'), 'utf8'));
        expect(imports.filter((s) => !isBuiltin(s) && !NATIVE_EXTERNALS.includes(s))).toEqual([]);
      }
    });

    it('load with the native-modules layer beside them, where DuckDB opens, resvg renders and the chart font resolves', () => {
      // Prepare: the layer as `npm run build:native-layer` builds it, for this machine's platform
      // (the arm64 one cannot load here); the nearest node_modules stands in for /opt/nodejs/node_modules.
      const scratch = mkdtempSync(path.join(os.tmpdir(), 'ltv-layer-load-'));
      assemblies.push(scratch);
      buildNativeLayer(PROJECT_ROOT, path.join(scratch, 'layer'), hostPlatform(), path.join(scratch, 'cache'));
      const probes: Record<string, unknown> = {};
      for (const [name, dir] of Object.entries(real)) {
        const task = path.join(scratch, name);
        execFileSync('mkdir', ['-p', task]);
        copyFileSync(path.join(dir, 'index.mjs'), path.join(task, 'index.mjs'));
        symlinkSync(path.join(scratch, 'layer', 'nodejs', 'node_modules'), path.join(task, 'node_modules'), 'dir');
        writeFileSync(
          path.join(task, 'probe.mjs'),
          [
            "const bundle = await import('./index.mjs');",
            "const { DuckDBInstance } = await import('@duckdb/node-api');",
            "const { Resvg } = await import('@resvg/resvg-js');",
            "const connection = await (await DuckDBInstance.create(':memory:')).connect();",
            "const answer = (await connection.runAndReadAll('SELECT 6 * 7 AS answer')).getRowObjectsJson()[0].answer;",
            "const { createRequire } = await import('node:module');",
            "const font = (await import('node:fs')).existsSync(createRequire(new URL('./index.mjs', import.meta.url)).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));",
            "const png = new Resvg('<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"><rect width=\"4\" height=\"4\"/></svg>').render().asPng();",
            'process.stdout.write(JSON.stringify({ handler: typeof bundle.handler, answer, font, png: [...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("") }));',
          ].join('\n'),
        );
        probes[name] = JSON.parse(execFileSync(process.execPath, [path.join(task, 'probe.mjs')], { cwd: os.tmpdir(), encoding: 'utf8' }));
      }

      // Assess
      expect(probes).toEqual({
        ingest: { handler: 'function', answer: 42, font: true, png: 'PNG' },
        weekly: { handler: 'function', answer: 42, font: true, png: 'PNG' },
      });
    });
  });
});
