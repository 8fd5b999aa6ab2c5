// Builds the native-modules layer folder (`<out>/nodejs/node_modules/...`) from the packages
// nativeLayerPackages.ts chooses. A package already installed here in the locked version (same
// platform) is copied from node_modules; any other is fetched with `npm pack` (the user's
// registry and cache) and checked against the lock's integrity hash before it is unpacked.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { layerManifest, layerPackages, manifestPath, readLock, type LayerManifest, type LayerPackage, type Platform } from './nativeLayerPackages.ts';

/**
 * The packages the bundles leave out and the layer supplies: the native modules
 * (pipelineFunctions.ts NATIVE_EXTERNALS) and the chart font resvg draws with, which
 * functions/report/charts/rasterize.ts resolves as a package (Lambda's NODE_PATH reaches the layer).
 */
export const LAYER_ROOTS = ['@duckdb/node-api', '@resvg/resvg-js', 'dejavu-fonts-ttf'] as const;

export interface LayerBuild {
  manifest: LayerManifest;
  /** Packages copied from this machine's node_modules, and fetched from the registry. */
  copied: string[];
  fetched: string[];
}

const packJson = z.array(z.object({ filename: z.string() }));
const installed = z.object({ version: z.string() });

/** Same platform, same packages at the same versions. */
export function sameManifest(a: LayerManifest, b: LayerManifest): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The manifest of an existing layer folder, or null when there is none (or it is unreadable). */
export function readLayerManifest(layerDir: string): LayerManifest | null {
  const file = manifestPath(layerDir);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LayerManifest;
  } catch {
    return null;
  }
}

/** What the layer for `platform` must hold, from the project's package-lock.json. */
export function expectedLayer(projectRoot: string, platform: Platform): { packages: LayerPackage[]; manifest: LayerManifest } {
  const packages = layerPackages(readLock(path.join(projectRoot, 'package-lock.json')), LAYER_ROOTS, platform);
  return { packages, manifest: layerManifest(platform, packages) };
}

function integrityOf(file: string, integrity: string): boolean {
  const [algorithm, expected] = [integrity.slice(0, integrity.indexOf('-')), integrity.slice(integrity.indexOf('-') + 1)];
  return createHash(algorithm).update(readFileSync(file)).digest('base64') === expected;
}

function installedVersion(projectRoot: string, p: LayerPackage): string | undefined {
  const file = path.join(projectRoot, p.location, 'package.json');
  if (!existsSync(file)) return undefined;
  return installed.safeParse(JSON.parse(readFileSync(file, 'utf8'))).data?.version;
}

function fetchPackage(p: LayerPackage, cacheDir: string): string {
  mkdirSync(cacheDir, { recursive: true });
  let out: string;
  try {
    out = execFileSync('npm', ['pack', `${p.name}@${p.version}`, '--json', '--pack-destination', cacheDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`npm pack ${p.name}@${p.version} failed (the layer needs the npm registry once): ${stderr.trim().split('\n').at(-1) ?? ''}`);
  }
  const tarball = path.join(cacheDir, packJson.parse(JSON.parse(out))[0]!.filename);
  if (!integrityOf(tarball, p.integrity)) {
    rmSync(tarball, { force: true });
    throw new Error(`${p.name}@${p.version}: the downloaded tarball does not match package-lock.json's integrity hash; refusing to use it`);
  }
  return tarball;
}

/**
 * Builds (or keeps, when its manifest already matches the lock) the layer for `platform` in
 * `outDir`. The folder is rebuilt whole, so a package dropped from the lock leaves no trace.
 */
export function buildNativeLayer(projectRoot: string, outDir: string, platform: Platform, cacheDir: string): LayerBuild & { upToDate: boolean } {
  const { packages, manifest } = expectedLayer(projectRoot, platform);
  const current = readLayerManifest(outDir);
  if (current && sameManifest(current, manifest)) return { manifest, copied: [], fetched: [], upToDate: true };

  rmSync(path.join(outDir, 'nodejs'), { recursive: true, force: true });
  const copied: string[] = [];
  const fetched: string[] = [];
  for (const p of packages) {
    const target = path.join(outDir, 'nodejs', p.location);
    mkdirSync(target, { recursive: true });
    if (installedVersion(projectRoot, p) === p.version) {
      const source = path.join(projectRoot, p.location);
      // Nested node_modules are packages of their own, placed by their own lock entries.
      cpSync(source, target, { recursive: true, filter: (from) => !path.relative(source, from).split(path.sep).includes('node_modules') });
      copied.push(p.location);
    } else {
      execFileSync('tar', ['-xzf', fetchPackage(p, cacheDir), '-C', target, '--strip-components=1']);
      fetched.push(p.location);
    }
  }
  writeFileSync(manifestPath(outDir), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, copied, fetched, upToDate: false };
}
