// `npm run build:native-layer`: the Lambda layer with DuckDB and resvg for linux-arm64 (glibc),
// in build/native-layer/. cdk.json's `build` runs it before every synth; it does nothing when the
// folder already matches package-lock.json. `-- --platform linux-x64-glibc` builds for another
// platform, `-- --out <dir>` elsewhere.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildNativeLayer } from '../infra/functions/nativeLayerBuild.ts';
import { DEFAULT_LAYER_DIR } from '../infra/functions/nativeModulesLayer.ts';
import { PROJECT_ROOT } from '../infra/projectRoot.ts';
import { LAMBDA_PLATFORM, platformId, type Platform } from '../infra/functions/nativeLayerPackages.ts';

function parsePlatform(text: string): Platform {
  const m = /^([a-z0-9]+)-([a-z0-9]+)-(glibc|musl)$/.exec(text);
  if (!m) throw new Error(`--platform ${text}: expected <os>-<cpu>-<glibc|musl>, e.g. linux-arm64-glibc`);
  return { os: m[1]!, cpu: m[2]!, libc: m[3] as Platform['libc'] };
}

const { values } = parseArgs({ options: { platform: { type: 'string' }, out: { type: 'string' } } });
const platform = values.platform ? parsePlatform(values.platform) : LAMBDA_PLATFORM;
const out = values.out ? path.resolve(values.out) : DEFAULT_LAYER_DIR;
try {
  const result = buildNativeLayer(PROJECT_ROOT, out, platform, path.join(PROJECT_ROOT, 'node_modules', '.cache', 'ltv-native-layer'));
  const where = path.relative(process.cwd(), out) || '.';
  if (result.upToDate) console.error(`native layer for ${platformId(platform)} in ${where} is up to date`);
  else console.error(`native layer for ${platformId(platform)} in ${where}: ${result.copied.length} packages copied, ${result.fetched.length} fetched (${result.manifest.packages.map((p) => `${p.location.replace(/^.*node_modules\//, '')}@${p.version}`).join(', ')})`);
} catch (err) {
  console.error(`build:native-layer: ${(err as Error).message}`);
  process.exit(1);
}
