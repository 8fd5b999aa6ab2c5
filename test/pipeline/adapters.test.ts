import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import { lakeDirOf, openStores } from '../../functions/pipeline/adapters.ts';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';
import { S3ObjectStore } from '../../functions/storage/s3Store.ts';

describe('openStores', () => {
  it('opens folders under storage.root for local storage, and the sample folder when no exports are configured', () => {
    // Act
    const stores = openStores(parseConfig({ storage: { kind: 'local', root: 'run' } }, 'test'));

    // Assess
    expect(stores.exports).toBeInstanceOf(LocalFolderStore);
    expect([stores.exports, stores.lake, stores.reports].map((s) => s.location)).toEqual(
      ['run/sample-exports', 'run/lake', 'run/reports'].map((p) => path.resolve(p)),
    );
  });

  it('opens the configured buckets and prefixes for S3 storage', () => {
    // Prepare
    const config = parseConfig(
      {
        storage: { kind: 's3', lake: 's3://acme-ltv-lake/lake', reports: 's3://acme-ltv-reports' },
        exports: { dir: 's3://acme-ltv-exports/crm' },
        engine: { kind: 'duckdb', lakeDir: 'lake-copy' },
      },
      'test',
    );

    // Act
    const stores = openStores(config);

    // Assess
    for (const store of [stores.exports, stores.lake, stores.reports]) expect(store).toBeInstanceOf(S3ObjectStore);
    expect([stores.exports, stores.lake, stores.reports].map((s) => s.location)).toEqual([
      's3://acme-ltv-exports/crm',
      's3://acme-ltv-lake/lake',
      's3://acme-ltv-reports',
    ]);
    expect(lakeDirOf(config)).toBe('lake-copy');
  });

  it('reads exports from S3 while the lake and reports stay in local folders', () => {
    // Act
    const stores = openStores(parseConfig({ exports: { dir: 's3://acme-ltv-exports/crm' } }, 'test'));

    // Assess
    expect(stores.exports).toBeInstanceOf(S3ObjectStore);
    expect(stores.lake).toBeInstanceOf(LocalFolderStore);
    expect(stores.reports).toBeInstanceOf(LocalFolderStore);
  });
});
