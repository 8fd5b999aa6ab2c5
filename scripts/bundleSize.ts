// `npm run bundle-size`: synthesises the stack offline, zips each Lambda function's asset as
// Lambda receives it, and prints the sizes; exits 1 when one is over the 2 MB budget. Native
// modules (DuckDB, resvg) are outside the bundles, in the native-modules layer: its size is
// printed too, against Lambda's 250 MB unzipped limit for a function and its layers.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const BUDGET_BYTES = 2 * 1024 * 1024;
const LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024;
const repo = path.resolve(import.meta.dirname, '..');

interface TemplateResource {
  Type: string;
  Metadata?: Record<string, unknown>;
}

const out = await mkdtemp(path.join(os.tmpdir(), 'ltv-synth-'));
try {
  execFileSync(process.execPath, [path.join(repo, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '-q', '-o', out], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const templates = (await readdir(out)).filter((f) => f.endsWith('.template.json'));
  let over = false;
  console.log('| asset | zipped | unzipped |');
  console.log('|---|---|---|');
  for (const file of templates) {
    const template = JSON.parse(await readFile(path.join(out, file), 'utf8')) as { Resources?: Record<string, TemplateResource> };
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      const asset = resource.Metadata?.['aws:asset:path'];
      const isLayer = resource.Type === 'AWS::Lambda::LayerVersion';
      if ((resource.Type !== 'AWS::Lambda::Function' && !isLayer) || typeof asset !== 'string') continue;
      const dir = path.join(out, asset);
      const zip = path.join(out, `${asset}.zip`);
      execFileSync('zip', ['-qr', zip, '.'], { cwd: dir });
      const zipped = (await stat(zip)).size;
      let unzipped = 0;
      for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
        if (e.isFile()) unzipped += (await stat(path.join(e.parentPath, e.name))).size;
      }
      const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
      if (isLayer) {
        over ||= unzipped > LAMBDA_UNZIPPED_LIMIT;
        console.log(`| ${id} (layer, outside the budget) | ${mb(zipped)} | ${mb(unzipped)}${unzipped > LAMBDA_UNZIPPED_LIMIT ? ' (over 250 MB)' : ''} |`);
      } else {
        over ||= zipped > BUDGET_BYTES;
        console.log(`| ${id} | ${mb(zipped)}${zipped > BUDGET_BYTES ? ' (over 2 MB)' : ''} | ${mb(unzipped)} |`);
      }
    }
  }
  process.exitCode = over ? 1 : 0;
} finally {
  await rm(out, { recursive: true, force: true });
}
