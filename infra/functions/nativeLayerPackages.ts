// Which npm packages the native-modules layer carries: the native externals of the bundles and
// everything they load at run time, resolved from package-lock.json for Lambda's platform
// (linux, arm64, glibc) rather than for the machine that deploys. The lock pins each version and
// its integrity hash, so the layer holds exactly what the tests ran against, for another CPU.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export interface Platform {
  os: string;
  cpu: string;
  libc: 'glibc' | 'musl';
}

/** Lambda's Node.js 22 runtime on arm64: Amazon Linux 2023, glibc. */
export const LAMBDA_PLATFORM: Platform = { os: 'linux', cpu: 'arm64', libc: 'glibc' };

/** This machine's platform, for a layer the tests can load here. */
export function hostPlatform(): Platform {
  const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
  return { os: process.platform, cpu: process.arch, libc: glibc === undefined ? 'musl' : 'glibc' };
}

export function platformId(p: Platform): string {
  return `${p.os}-${p.cpu}-${p.libc}`;
}

const lockEntry = z.object({
  version: z.string(),
  integrity: z.string().optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  optionalDependencies: z.record(z.string(), z.string()).optional(),
  os: z.array(z.string()).optional(),
  cpu: z.array(z.string()).optional(),
  libc: z.array(z.string()).optional(),
  dev: z.boolean().optional(),
});
const lockFile = z.object({ lockfileVersion: z.number().min(2), packages: z.record(z.string(), z.unknown()) });

export type LockEntry = z.infer<typeof lockEntry>;

export interface LayerPackage {
  name: string;
  version: string;
  /** The package's folder relative to the layer's `nodejs/`, as the lock places it (`node_modules/a/node_modules/b` when nested). */
  location: string;
  integrity: string;
}

export function readLock(file: string): Record<string, LockEntry> {
  const parsed = lockFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: not an npm lockfile of version 2 or later (${parsed.error.issues[0]!.message})`);
  const packages: Record<string, LockEntry> = {};
  for (const [location, entry] of Object.entries(parsed.data.packages)) {
    if (location === '') continue;
    const e = lockEntry.safeParse(entry);
    if (e.success) packages[location] = e.data;
  }
  return packages;
}

function fits(entry: LockEntry, platform: Platform): boolean {
  // npm's rule: a list names the allowed values, or excludes one with a leading '!'.
  const allows = (list: string[] | undefined, value: string) =>
    list === undefined || (list.some((v) => !v.startsWith('!')) ? list.includes(value) : !list.includes(`!${value}`));
  return allows(entry.os, platform.os) && allows(entry.cpu, platform.cpu) && allows(entry.libc, platform.libc);
}

/** Node's lookup, within the lock: the nearest `node_modules/<name>` from `from` up to the root. */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === '') return undefined;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up < 0 ? '' : dir.slice(0, up);
  }
}

/**
 * The packages `roots` need at run time on `platform`: their dependencies, transitively, and
 * those optional dependencies whose os/cpu/libc fit the platform (the prebuilt binaries).
 * Throws when a required package is missing from the lock or cannot run on the platform.
 */
export function layerPackages(packages: Record<string, LockEntry>, roots: readonly string[], platform: Platform): LayerPackage[] {
  const chosen = new Map<string, LayerPackage>();
  const visit = (location: string, required: boolean, via: string): void => {
    if (chosen.has(location)) return;
    const entry = packages[location]!;
    if (!fits(entry, platform)) {
      if (required) throw new Error(`${location} (needed by ${via}) does not run on ${platformId(platform)}`);
      return;
    }
    if (entry.integrity === undefined) throw new Error(`${location}: package-lock.json records no integrity hash to check the download against`);
    chosen.set(location, { name: location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length), version: entry.version, location, integrity: entry.integrity });
    const deps: [string, boolean][] = [
      ...Object.keys(entry.dependencies ?? {}).map((d): [string, boolean] => [d, true]),
      ...Object.keys(entry.optionalDependencies ?? {}).map((d): [string, boolean] => [d, false]),
    ];
    for (const [dep, needed] of deps) {
      const found = resolveIn(packages, location, dep);
      if (found) visit(found, needed, location);
      else if (needed) throw new Error(`${dep} (needed by ${location}) is not in package-lock.json`);
    }
  };
  for (const root of roots) {
    const location = resolveIn(packages, '', root);
    if (!location) throw new Error(`${root} is not in package-lock.json; add it to package.json's dependencies`);
    visit(location, true, 'the Lambda bundles');
  }
  return [...chosen.values()].sort((a, b) => (a.location < b.location ? -1 : 1));
}

/** The manifest the layer build writes next to the packages, and the stack checks at synth. */
export const LAYER_MANIFEST = 'ltv-native-layer.json';

export interface LayerManifest {
  platform: string;
  packages: { location: string; version: string }[];
}

export function layerManifest(platform: Platform, chosen: readonly LayerPackage[]): LayerManifest {
  return { platform: platformId(platform), packages: chosen.map((p) => ({ location: p.location, version: p.version })) };
}

export function manifestPath(layerDir: string): string {
  return path.join(layerDir, 'nodejs', LAYER_MANIFEST);
}
