// For a local run without configured exports: the sample data set the run reports on. It is
// generated once, through the last complete week at the time, and then kept as it is: another
// report week, a dry run or a new ISO week reads the same sample and the history built on it.
// Only a change of the sample's own settings (seed, customers) makes a new one, and only in a
// lake that holds nothing but the sample; a lake holding exports the user ingested is never
// touched, and is what the run reports on.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema.ts';
import { readAllManifests, type Manifest } from '../ingest/manifest.ts';
import { readSampleOrigin, writeSampleOrigin, type SampleOrigin } from '../sample/sampleOrigin.ts';
import { writeSample } from '../sample/writeSample.ts';
import { listAll, type ObjectStore } from '../storage/objectStore.ts';
import { objectStoreAt } from '../storage/openObjectStore.ts';
import { sampleExportsDir } from './adapters.ts';

export type PreparedSample =
  /** The lake reports on the sample; `generated` when it was written by this run. */
  | { kind: 'sample'; dir: string; origin: SampleOrigin; generated: boolean }
  /** The lake holds exports the user ingested (`ltv ingest`): no sample is made or ingested. */
  | { kind: 'ingested'; exports: number };

const STAMP = 'sample-options.json';

async function readStamp(dir: string): Promise<SampleOrigin | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, STAMP), 'utf8')) as SampleOrigin;
  } catch {
    return null;
  }
}

/** Manifests of exports that are not files of the sample folder as generated. */
async function foreignExports(manifests: readonly Manifest[], sampleDir: string): Promise<Manifest[]> {
  const files = new Map((await listAll(objectStoreAt(sampleDir), '')).map((f) => [f.key, f.etag]));
  return manifests.filter((m) => files.get(m.sourceKey) !== m.etag);
}

const sameSample = (a: SampleOrigin, config: Config): boolean => String(a.seed) === String(config.sample.seed) && a.customers === config.sample.customers;

/**
 * `endDate` is used only when a sample is generated. Throws, touching nothing, when the sample
 * settings changed in a lake that also holds the user's own exports.
 */
export async function prepareSampleExports(config: Config, lake: ObjectStore, endDate: string): Promise<PreparedSample> {
  const dir = sampleExportsDir(config);
  const manifests = await readAllManifests(lake);
  let origin = await readSampleOrigin(lake);
  const stamp = await readStamp(dir);
  // A lake from before the marker existed is the sample's when every export in it is a sample file.
  if (origin === null && manifests.length > 0 && stamp !== null && (await foreignExports(manifests, dir)).length === 0) {
    origin = stamp;
    await writeSampleOrigin(lake, origin);
  }
  if (origin === null && manifests.length > 0) return { kind: 'ingested', exports: manifests.length };
  if (origin !== null && sameSample(origin, config)) {
    if (stamp !== null && stamp.endDate === origin.endDate) return { kind: 'sample', dir, origin, generated: false };
  } else if (origin !== null) {
    const foreign = await foreignExports(manifests, dir);
    if (foreign.length > 0) {
      throw new Error(
        `sample.seed or sample.customers changed, but ${lake.location} also holds ${foreign.length} export(s) you ingested (${foreign[0]!.sourceKey}${foreign.length > 1 ? ', …' : ''}): ` +
          'nothing was regenerated or deleted. Set exports.dir to report on your exports, or storage.root to a new folder for a new sample',
      );
    }
  }
  const wanted: SampleOrigin = origin !== null && sameSample(origin, config) ? origin : { seed: config.sample.seed, customers: config.sample.customers, endDate };
  // Only a lake of nothing but sample data gets here with a different sample: start it afresh,
  // so it never mixes two generated histories.
  if (origin !== null && !sameSample(origin, config)) {
    if (!lake.localPathOf) throw new Error(`${lake.location}: a sample lake is a local folder`);
    await rm(lake.localPathOf(''), { recursive: true, force: true });
  }
  await rm(dir, { recursive: true, force: true });
  await writeSample({ seed: wanted.seed, customers: wanted.customers, endDate: wanted.endDate }, dir);
  await writeFile(path.join(dir, STAMP), `${JSON.stringify(wanted)}\n`);
  await writeSampleOrigin(lake, wanted);
  return { kind: 'sample', dir, origin: wanted, generated: true };
}
