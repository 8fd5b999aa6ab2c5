import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYER_ROOTS } from '../../infra/functions/nativeLayerBuild.ts';
import { LAMBDA_PLATFORM, layerPackages, readLock, type LockEntry } from '../../infra/functions/nativeLayerPackages.ts';
import { PROJECT_ROOT } from '../../infra/projectRoot.ts';

const entry = (version: string, more: Partial<LockEntry> = {}): LockEntry => ({ version, integrity: `sha512-${version}`, ...more });
const locations = (packages: { location: string; version: string }[]) => packages.map((p) => `${p.location}@${p.version}`);

describe('the packages of the native-modules layer', () => {
  it("are, for Lambda's linux-arm64 glibc, DuckDB and resvg with their arm64 glibc binaries, DuckDB's libc probe and the chart font", () => {
    // Act
    const chosen = layerPackages(readLock(path.join(PROJECT_ROOT, 'package-lock.json')), LAYER_ROOTS, LAMBDA_PLATFORM);

    // Assess
    expect(chosen.map((p) => p.location)).toEqual([
      'node_modules/@duckdb/node-api',
      'node_modules/@duckdb/node-bindings',
      'node_modules/@duckdb/node-bindings-linux-arm64',
      'node_modules/@resvg/resvg-js',
      'node_modules/@resvg/resvg-js-linux-arm64-gnu',
      'node_modules/dejavu-fonts-ttf',
      'node_modules/detect-libc',
    ]);
    for (const p of chosen) expect(p.integrity).toMatch(/^sha512-/);
  });

  it('follow the lock: a nested version wins over the top-level one, and optional binaries for other platforms stay out', () => {
    // Prepare
    const lock = {
      'node_modules/engine': entry('2.0.0', { dependencies: { probe: '^1' }, optionalDependencies: { 'engine-linux-arm64': '2.0.0', 'engine-linux-x64': '2.0.0', 'engine-musl': '2.0.0' } }),
      'node_modules/engine/node_modules/probe': entry('1.4.0'),
      'node_modules/probe': entry('3.0.0'),
      'node_modules/engine-linux-arm64': entry('2.0.0', { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] }),
      'node_modules/engine-linux-x64': entry('2.0.0', { os: ['linux'], cpu: ['x64'] }),
      'node_modules/engine-musl': entry('2.0.0', { os: ['linux'], libc: ['musl'] }),
    };

    // Act
    const chosen = layerPackages(lock, ['engine'], LAMBDA_PLATFORM);

    // Assess
    expect(locations(chosen)).toEqual(['node_modules/engine@2.0.0', 'node_modules/engine-linux-arm64@2.0.0', 'node_modules/engine/node_modules/probe@1.4.0']);
  });

  it("read npm's '!' exclusions: os ['!win32'] fits linux", () => {
    // Prepare
    const lock = { 'node_modules/tool': entry('1.0.0', { optionalDependencies: { 'tool-unix': '1.0.0' } }), 'node_modules/tool-unix': entry('1.0.0', { os: ['!win32'] }) };

    // Act, Assess
    expect(locations(layerPackages(lock, ['tool'], LAMBDA_PLATFORM))).toEqual(['node_modules/tool@1.0.0', 'node_modules/tool-unix@1.0.0']);
  });

  it.each([
    [{ 'node_modules/engine': entry('1.0.0', { dependencies: { gone: '1' } }) }, 'gone (needed by node_modules/engine) is not in package-lock.json'],
    [{ 'node_modules/engine': entry('1.0.0', { cpu: ['x64'] }) }, 'node_modules/engine (needed by the Lambda bundles) does not run on linux-arm64-glibc'],
    [{ 'node_modules/engine': { version: '1.0.0' } }, 'node_modules/engine: package-lock.json records no integrity hash'],
    [{}, 'engine is not in package-lock.json'],
  ])('refuse a layer that could not load: %j', (lock, message) => {
    expect(() => layerPackages(lock, ['engine'], LAMBDA_PLATFORM)).toThrow(message);
  });
});
