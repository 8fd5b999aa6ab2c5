// The Lambda layer that supplies the native modules the bundles leave out: DuckDB (ingest writes
// the Parquet lake with it; the weekly job writes kpi_history and clv_scores) and resvg (chart
// PNGs). Lambda puts a layer's nodejs/node_modules on the module path of ES modules too, so the
// bundles' `import '@duckdb/node-api'` finds it. The folder is built by `npm run
// build:native-layer` (cdk.json's `build` runs it before synth); synth refuses a missing or stale
// one instead of deploying functions that fail at load.
import path from 'node:path';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from '../projectRoot.ts';
import { expectedLayer, readLayerManifest, sameManifest } from './nativeLayerBuild.ts';
import { LAMBDA_PLATFORM } from './nativeLayerPackages.ts';

export const DEFAULT_LAYER_DIR = path.join(PROJECT_ROOT, 'build', 'native-layer');

export interface NativeModulesLayerProps {
  /** The built layer folder (holding nodejs/node_modules); build/native-layer by default. */
  dir?: string;
}

export class NativeModulesLayer extends Construct {
  readonly layer: LayerVersion;

  constructor(scope: Construct, id: string, props: NativeModulesLayerProps = {}) {
    super(scope, id);
    const dir = props.dir ?? DEFAULT_LAYER_DIR;
    const where = path.relative(process.cwd(), dir) || dir;
    const built = readLayerManifest(dir);
    const { manifest } = expectedLayer(PROJECT_ROOT, LAMBDA_PLATFORM);
    if (built === null) {
      throw new Error(`The native-modules layer is missing in ${where}: run \`npm run build:native-layer\` (it needs the npm registry once), then synth again.`);
    }
    if (!sameManifest(built, manifest)) {
      throw new Error(
        `The native-modules layer in ${where} was built for ${built.platform} from other package versions than package-lock.json pins for ${manifest.platform}: run \`npm run build:native-layer\` again.`,
      );
    }
    this.layer = new LayerVersion(this, 'Layer', {
      code: Code.fromAsset(dir),
      compatibleArchitectures: [Architecture.ARM_64],
      compatibleRuntimes: [Runtime.NODEJS_22_X],
      description: `ltv-pulse native modules for ${manifest.platform}: ${manifest.packages.map((p) => `${p.location.replace(/^.*node_modules\//, '')}@${p.version}`).join(', ')}`.slice(0, 256),
    });
  }
}
