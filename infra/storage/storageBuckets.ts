// The four buckets of a deployment. Every bucket is encrypted, blocks public access and refuses
// plain HTTP; raw exports are versioned so an export is never lost by being overwritten.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface StorageBucketsProps {
  /** Days Athena query results are kept (default 30). */
  resultsRetentionDays?: number;
  /** Days earlier versions of lake objects are kept; 0 or unset: the lake is not versioned. */
  lakeVersionDays?: number;
}

export class StorageBuckets extends Construct {
  readonly exports: Bucket;
  readonly lake: Bucket;
  readonly athenaResults: Bucket;
  readonly reports: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: StorageBucketsProps = {}) {
    super(scope, id);
    const common = {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...common,
      // S3 log delivery writes with the log-delivery ACL, which needs writer-owned objects.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    const logged = (prefix: string) => ({ ...common, serverAccessLogsBucket: this.accessLogs, serverAccessLogsPrefix: `${prefix}/` });
    // Streamed writes are multipart uploads; a crashed run must not leave billed parts behind.
    const abandonedUploads = { abortIncompleteMultipartUploadAfter: Duration.days(7) };
    this.exports = new Bucket(this, 'Exports', {
      ...logged('exports'),
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }, abandonedUploads],
    });
    const lakeVersionDays = props.lakeVersionDays ?? 0;
    this.lake = new Bucket(this, 'Lake', {
      ...logged('lake'),
      // Every ingest replaces table files and every re-run a write-back week: versions make them
      // restorable for a while, at the storage of what was replaced (docs/deploy.md).
      ...(lakeVersionDays > 0 ? { versioned: true } : {}),
      lifecycleRules: [
        ...(lakeVersionDays > 0 ? [{ noncurrentVersionExpiration: Duration.days(lakeVersionDays), expiredObjectDeleteMarker: true }] : []),
        abandonedUploads,
      ],
    });
    this.athenaResults = new Bucket(this, 'AthenaResults', {
      ...logged('athena-results'),
      lifecycleRules: [{ expiration: Duration.days(props.resultsRetentionDays ?? 30) }, abandonedUploads],
    });
    this.reports = new Bucket(this, 'Reports', { ...logged('reports'), versioned: true, lifecycleRules: [abandonedUploads] });
  }
}
