import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { stackUnderTest } from './stackUnderTest.ts';

function template(retention?: number): Template {
  return stackUnderTest(retention === undefined ? {} : { resultsRetentionDays: retention }).template;
}

describe('storage buckets', () => {
  it('creates exports, lake, athena-results, reports and an access-log bucket, all encrypted and private', () => {
    // Act
    const t = template();

    // Assess
    t.resourceCountIs('AWS::S3::Bucket', 5);
    const buckets = t.findResources('AWS::S3::Bucket');
    for (const [id, bucket] of Object.entries(buckets)) {
      const props = (bucket as { Properties: Record<string, unknown> }).Properties;
      expect(props.BucketEncryption, id).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
      expect(props.PublicAccessBlockConfiguration, id).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect((bucket as { DeletionPolicy: string }).DeletionPolicy, id).toBe('Retain');
    }
  });

  it('refuses plain HTTP on every bucket', () => {
    const t = template();
    const policies = t.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(5);
    for (const policy of Object.values(policies)) {
      expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('aborts abandoned multipart uploads in every bucket that receives streamed writes', () => {
    // Act
    const buckets = template(30).findResources('AWS::S3::Bucket');

    // Assess
    const withAbort = Object.values(buckets).filter((b) =>
      JSON.stringify(b).includes('"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}'),
    );
    expect(withAbort).toHaveLength(4);
  });

  it('expires Athena results after the configured days and versions the raw exports', () => {
    // Act
    const t = template(7);

    // Assess
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 7, Status: 'Enabled' }), Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } })],
      },
      LoggingConfiguration: { LogFilePrefix: 'athena-results/' },
    });
    t.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { LogFilePrefix: 'exports/' },
    });
  });

  it('leaves the lake unversioned unless lakeVersionDays asks for versions, then expires them after those days', () => {
    // Prepare
    const lakeOf = (t: Template) =>
      Object.values(t.findResources('AWS::S3::Bucket')).find((b) => JSON.stringify(b).includes('"LogFilePrefix":"lake/"')) as { Properties: Record<string, unknown> };

    // Act
    const plain = lakeOf(template());
    const versioned = lakeOf(stackUnderTest({ lakeVersionDays: 45 }).template);

    // Assess
    expect(plain.Properties.VersioningConfiguration).toBeUndefined();
    expect(versioned.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(versioned.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 45 }, ExpiredObjectDeleteMarker: true, Status: 'Enabled' }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
      ],
    });
  });
});
