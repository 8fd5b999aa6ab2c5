// The one place that turns configuration into adapters. The pipeline sees only the ports.
import path from 'node:path';
import type { Config } from '../config/schema.ts';
import { DuckDbEngine } from '../engine/duckdbEngine.ts';
import type { QueryEngine } from '../engine/queryEngine.ts';
import { EmlOutbox } from '../mail/emlOutbox.ts';
import type { Mailer } from '../mail/mailer.ts';
import { SmtpMailer } from '../mail/smtpMailer.ts';
import type { ObjectStore } from '../storage/objectStore.ts';
import { createS3Client, objectStoreAt } from '../storage/openObjectStore.ts';
import { schemeOf } from '../storage/s3Location.ts';

export interface Stores {
  /** Where exports are read from (never written). */
  exports: ObjectStore;
  lake: ObjectStore;
  reports: ObjectStore;
}

/** Folder the local run generates sample exports into when no exports are configured. */
export function sampleExportsDir(config: Config): string {
  return path.join(config.storage.root, 'sample-exports');
}

export function openStores(config: Config): Stores {
  const storage = config.storage;
  const locations =
    storage.kind === 'local'
      ? { lake: path.join(storage.root, 'lake'), reports: path.join(storage.root, 'reports') }
      : { lake: storage.lake, reports: storage.reports };
  const exports = config.exports.dir ?? sampleExportsDir(config);
  // One client for every s3:// location of the run, so they share its connections and retry quota.
  const s3Client = [exports, locations.lake, locations.reports].some((l) => schemeOf(l) === 's3') ? createS3Client(config.s3) : undefined;
  return {
    exports: objectStoreAt(exports, { s3Client }),
    lake: objectStoreAt(locations.lake, { s3Client }),
    reports: objectStoreAt(locations.reports, { s3Client }),
  };
}

/** The local folder DuckDB reads the lake from (validation makes engine.lakeDir required with S3 storage). */
export function lakeDirOf(config: Config): string {
  if (config.engine.lakeDir !== undefined) return config.engine.lakeDir;
  if (config.storage.kind === 's3') throw new Error('engine.lakeDir is required when storage.kind is "s3"');
  return path.join(config.storage.root, 'lake');
}

export function openMailer(config: Config): Mailer {
  switch (config.mail.kind) {
    case 'eml':
      return new EmlOutbox(config.mail.outboxDir ?? path.join(config.storage.root, 'outbox'));
    case 'smtp':
      return new SmtpMailer(config.mail);
  }
}

export async function openEngine(config: Config): Promise<QueryEngine> {
  return DuckDbEngine.open({
    lakeDir: lakeDirOf(config),
    ...(config.engine.threads ? { threads: config.engine.threads } : {}),
    ...(config.engine.memoryLimit ? { memoryLimit: config.engine.memoryLimit } : {}),
  });
}
