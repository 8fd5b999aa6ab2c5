// `npm run bundle-size`: synthesises the stack offline, zips each Lambda function's asset as
// Lambda receives it, and prints the sizes; exits 1 when one is over the 2 MB budget. Native
// modules (DuckDB, resvg) are outside the bundles and therefore outside the figure.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const BUDGET_BYTES = 2 * 1024 * 1024;
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
  console.log('| function | zipped | unzipped |');
  console.log('|---|---|---|');
  for (const file of templates) {
    const template = JSON.parse(await readFile(path.join(out, file), 'utf8')) as { Resources?: Record<string, TemplateResource> };
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      const asset = resource.Metadata?.['aws:asset:path'];
      if (resource.Type !== 'AWS::Lambda::Function' || typeof asset !== 'string') continue;
      const dir = path.join(out, asset);
      const zip = path.join(out, `${asset}.zip`);
      execFileSync('zip', ['-qr', zip, '.'], { cwd: dir });
      const zipped = (await stat(zip)).size;
      let unzipped = 0;
      for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
        if (e.isFile()) unzipped += (await stat(path.join(e.parentPath, e.name))).size;
      }
      over ||= zipped > BUDGET_BYTES;
      console.log(`| ${id} | ${(zipped / 1024 / 1024).toFixed(2)} MB${zipped > BUDGET_BYTES ? ' (over 2 MB)' : ''} | ${(unzipped / 1024 / 1024).toFixed(2)} MB |`);
    }
  }
  process.exitCode = over ? 1 : 0;
} finally {
  await rm(out, { recursive: true, force: true });
}
