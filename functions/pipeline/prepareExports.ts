// For a local run without configured exports: generate the sample data set the run will use,
// ending with the report week, and start from a clean lake when the sample changed (a lake
// never mixes two generated histories).
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema.ts';
import { writeSample } from '../sample/writeSample.ts';
import { sampleExportsDir } from './adapters.ts';

export interface PreparedSample {
  dir: string;
  regenerated: boolean;
}

export async function prepareSampleExports(config: Config, endDate: string): Promise<PreparedSample> {
  const dir = sampleExportsDir(config);
  const wanted = { seed: config.sample.seed, customers: config.sample.customers, endDate };
  const stamp = path.join(dir, 'sample-options.json');
  let current: unknown;
  try {
    current = JSON.parse(await readFile(stamp, 'utf8'));
  } catch {
    current = undefined;
  }
  if (JSON.stringify(current) === JSON.stringify(wanted)) return { dir, regenerated: false };
  await rm(dir, { recursive: true, force: true });
  await rm(path.join(config.storage.root, 'lake'), { recursive: true, force: true });
  await writeSample({ seed: wanted.seed, customers: wanted.customers, endDate }, dir);
  await writeFile(stamp, `${JSON.stringify(wanted)}\n`);
  return { dir, regenerated: true };
}
