import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';
import { createS3Client, objectStoreAt } from '../../functions/storage/openObjectStore.ts';
import { parseS3Location, s3LocationsOverlap } from '../../functions/storage/s3Location.ts';
import { S3ObjectStore } from '../../functions/storage/s3Store.ts';

const client = new S3Client({ region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

describe('objectStoreAt', () => {
  it('opens a folder path as a LocalFolderStore', () => {
    const store = objectStoreAt('out/sample-exports');

    expect(store).toBeInstanceOf(LocalFolderStore);
    expect(store.location).toBe(path.resolve('out/sample-exports'));
  });

  it.each([
    ['s3://acme-ltv-exports', 's3://acme-ltv-exports'],
    ['s3://acme-ltv-exports/', 's3://acme-ltv-exports'],
    ['s3://acme-ltv-exports/crm/daily/', 's3://acme-ltv-exports/crm/daily'],
    ['s3://acme.ltv-exports/order_month=2026-11', 's3://acme.ltv-exports/order_month=2026-11'],
  ])('opens %s as an S3ObjectStore at %s', (location, expected) => {
    const store = objectStoreAt(location, { s3Client: client });

    expect(store).toBeInstanceOf(S3ObjectStore);
    expect(store.location).toBe(expected);
  });

  it.each([
    ['', /storage location is empty/],
    ['s3://', /the bucket name is missing/],
    ['s3:///exports', /the bucket name is missing/],
    ['s3://ab/exports', /"ab" must be 3 to 63 characters long/],
    ['s3://Acme_Exports/crm', /may hold only lowercase letters, digits, dots and hyphens/],
    ['s3://-acme/crm', /must begin and end with a letter or digit/],
    ['s3://acme..exports', /two adjacent dots/],
    ['s3://192.168.1.10/crm', /looks like an IP address/],
    ['s3://acme-exports//crm', /empty, "\." or "\.\." segment/],
    ['s3://acme-exports/crm/../lake', /empty, "\." or "\.\." segment/],
    ['gs://acme-exports/crm', /gs:\/\/ locations are not supported; give a folder or s3:\/\/bucket\/prefix/],
  ])('refuses %j with a message saying what is wrong', (location, problem) => {
    expect(() => objectStoreAt(location, { s3Client: client })).toThrow(problem);
  });

  it('quotes the location it refuses', () => {
    expect(() => objectStoreAt('s3://Acme/crm', { s3Client: client })).toThrow(/^"s3:\/\/Acme\/crm" is not a valid S3 location: /);
  });
});

describe('createS3Client', () => {
  it('passes region, endpoint, path style and attempts to the SDK', async () => {
    const s3 = createS3Client({ region: 'eu-central-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, maxAttempts: 5 });

    expect(await s3.config.region()).toBe('eu-central-1');
    expect(await s3.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 9000, protocol: 'http:' });
    expect(s3.config.forcePathStyle).toBe(true);
    expect(await s3.config.maxAttempts()).toBe(5);
  });

  it('sends checksums only where S3 requires them when the endpoint is not AWS, and by the SDK default otherwise', async () => {
    const compatible = createS3Client({ region: 'eu-central-1', endpoint: 'http://127.0.0.1:9000' });
    const aws = createS3Client({ region: 'eu-central-1' });

    expect(await compatible.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await compatible.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(await aws.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
  });
});

describe('s3LocationsOverlap', () => {
  it.each([
    ['s3://acme/lake', 's3://acme/lake', true],
    ['s3://acme/lake', 's3://acme/lake/reports', true],
    ['s3://acme', 's3://acme/reports', true],
    ['s3://acme/lake', 's3://acme/lake-reports', false],
    ['s3://acme/lake', 's3://acme/reports', false],
    ['s3://acme/lake', 's3://acme-reports/lake', false],
  ])('%s and %s overlap: %s', (a, b, expected) => {
    expect(s3LocationsOverlap(parseS3Location(a), parseS3Location(b))).toBe(expected);
    expect(s3LocationsOverlap(parseS3Location(b), parseS3Location(a))).toBe(expected);
  });
});
