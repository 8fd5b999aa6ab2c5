// Turns a location as a user writes it (a folder, or s3://bucket/prefix) into a store.
import { S3Client } from '@aws-sdk/client-s3';
import { LocalFolderStore } from './localFolderStore.ts';
import type { ObjectStore } from './objectStore.ts';
import { parseS3Location, schemeOf } from './s3Location.ts';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3Store.ts';

export interface S3ClientSettings {
  /** Unset: the SDK's usual lookup (AWS_REGION, the profile). */
  region?: string;
  /** An S3-compatible server instead of AWS, e.g. http://127.0.0.1:9000. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Tries per request, the first included, under the SDK's standard retry strategy; unset: AWS_MAX_ATTEMPTS or 3. */
  maxAttempts?: number;
}

export function createS3Client(settings: S3ClientSettings = {}): S3Client {
  return new S3Client({
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard',
    forcePathStyle: settings.forcePathStyle ?? false,
    ...(settings.endpoint !== undefined
      ? {
          endpoint: settings.endpoint,
          // Many S3-compatible servers reject or mangle the CRC checksums (and the aws-chunked
          // uploads carrying them) that the SDK sends to AWS by default.
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
}

export interface ObjectStoreOptions extends Pick<S3ObjectStoreOptions, 'partSize' | 'maxKeys'> {
  /** Client for s3:// locations; pass one to share it between stores. */
  s3Client?: S3Client;
  /** Settings of the client made for an s3:// location when no s3Client is given. */
  s3?: S3ClientSettings;
}

/** A LocalFolderStore for a folder path, an S3ObjectStore for `s3://bucket[/prefix]`. */
export function objectStoreAt(location: string, options: ObjectStoreOptions = {}): ObjectStore {
  if (location.trim() === '') throw new Error('a storage location is empty; give a folder or s3://bucket/prefix');
  const scheme = schemeOf(location);
  if (scheme === undefined) return new LocalFolderStore(location);
  if (scheme !== 's3') throw new Error(`"${location}": ${scheme}:// locations are not supported; give a folder or s3://bucket/prefix`);
  const { bucket, prefix } = parseS3Location(location);
  return new S3ObjectStore(options.s3Client ?? createS3Client(options.s3), {
    bucket,
    prefix,
    partSize: options.partSize,
    maxKeys: options.maxKeys,
  });
}
