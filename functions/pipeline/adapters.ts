// The one place that turns configuration into adapters. The pipeline sees only the ports.
import path from 'node:path';
import type { Config } from '../config/schema.ts';
import { DuckDbEngine } from '../engine/duckdbEngine.ts';
import type { QueryEngine } from '../engine/queryEngine.ts';
import { EmlOutbox } from '../mail/emlOutbox.ts';
import type { Mailer } from '../mail/mailer.ts';
import { SmtpMailer } from '../mail/smtpMailer.ts';
import { LocalFolderStore } from '../storage/localFolderStore.ts';
import type { ObjectStore } from '../storage/objectStore.ts';

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
  const root = config.storage.root;
  return {
    exports: new LocalFolderStore(config.exports.dir ?? sampleExportsDir(config)),
    lake: new LocalFolderStore(path.join(root, 'lake')),
    reports: new LocalFolderStore(path.join(root, 'reports')),
  };
}

export function lakeDirOf(config: Config): string {
  return config.engine.lakeDir ?? path.join(config.storage.root, 'lake');
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
