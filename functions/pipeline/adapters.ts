// The one place that turns configuration into adapters. The pipeline sees only the ports.
import path from 'node:path';
import type { Config } from '../config/schema.ts';
import { AthenaEngine, createAthenaClient } from '../engine/athenaEngine.ts';
import { DuckDbEngine } from '../engine/duckdbEngine.ts';
import type { QueryEngine } from '../engine/queryEngine.ts';
import type { LakeAccess } from '../ingest/lakeAccess.ts';
import { EmlOutbox } from '../mail/emlOutbox.ts';
import type { Mailer } from '../mail/mailer.ts';
import { createSesClient, SesMailer } from '../mail/sesMailer.ts';
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
  if (config.engine.kind === 'duckdb' && config.engine.lakeDir !== undefined) return config.engine.lakeDir;
  if (config.storage.kind === 's3') throw new Error('engine.lakeDir is required when storage.kind is "s3" and the engine is DuckDB');
  return path.join(config.storage.root, 'lake');
}

export function openMailer(config: Config): Mailer {
  switch (config.mail.kind) {
    case 'eml':
      return new EmlOutbox(config.mail.outboxDir ?? path.join(config.storage.root, 'outbox'));
    case 'smtp':
      return new SmtpMailer(config.mail);
    case 'ses':
      return new SesMailer({
        client: createSesClient(config.mail.region, config.mail.timeoutSeconds),
        ...(config.mail.configurationSet ? { configurationSet: config.mail.configurationSet } : {}),
      });
  }
}

export interface EngineOptions {
  /** Queries still running at this instant are stopped (Athena): a Lambda's end, less a margin. */
  deadline?: Date;
}

export async function openEngine(config: Config, options: EngineOptions = {}): Promise<QueryEngine> {
  const engine = config.engine;
  switch (engine.kind) {
    case 'duckdb':
      return DuckDbEngine.open({
        lakeDir: lakeDirOf(config),
        ...(engine.threads ? { threads: engine.threads } : {}),
        ...(engine.memoryLimit ? { memoryLimit: engine.memoryLimit } : {}),
      });
    case 'athena':
      // Athena reads the lake in S3, so it runs in the lake's region (s3.region, or the SDK's lookup).
      return new AthenaEngine({
        athena: createAthenaClient(config.s3.region),
        s3: createS3Client(config.s3),
        workgroup: engine.workgroup,
        database: engine.database,
        ...(engine.catalog ? { catalog: engine.catalog } : {}),
        ...(engine.outputLocation ? { outputLocation: engine.outputLocation } : {}),
        queryTimeoutMs: engine.queryTimeoutSeconds * 1000,
        pollMaxMs: engine.pollMaxMs,
        maxConcurrentQueries: engine.maxConcurrentQueries,
        ...(options.deadline ? { deadline: options.deadline.getTime() } : {}),
      });
  }
}

/** How this run takes the lake: the configured wait and lease, named for a waiting writer's message. */
export function lakeAccessOf(config: Config, purpose: string, hooks: Pick<LakeAccess, 'onWait' | 'onRepair'> = {}): LakeAccess {
  return { purpose, waitMs: config.lakeLock.waitSeconds * 1000, leaseMs: config.lakeLock.leaseSeconds * 1000, ...hooks };
}
