// Lambda events as AWS delivers them: an S3 object-created notification (keys URL-encoded, a
// space as `+`) and the payload EventBridge Scheduler sends the weekly function.
import type { S3Event } from 'aws-lambda';

/** The form encoding S3 uses for keys in notifications. */
export function encodeKeyAsS3Does(key: string): string {
  return encodeURIComponent(key).replaceAll('%20', '+').replaceAll('%2F', '/');
}

export function s3PutEvent(bucket: string, keys: string[], eventName = 'ObjectCreated:Put'): S3Event {
  return {
    Records: keys.map((key, i) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-central-1',
      eventTime: '2026-11-23T05:12:44.000Z',
      eventName,
      userIdentity: { principalId: 'AWS:AIDAEXAMPLEEXPORTER' },
      requestParameters: { sourceIPAddress: '203.0.113.10' },
      responseElements: { 'x-amz-request-id': `C3D13FE58DE4C8${i}0`, 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'ltv-pulse-ingest',
        bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
        object: { key: encodeKeyAsS3Does(key), size: 1024, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: `0055AED6DCD9028${i}` },
      },
    })),
  };
}

/** The Input a schedule gives the weekly function: `{ "scheduledTime": "<aws.scheduler.scheduled-time>" }`. */
export function schedulerPayload(scheduledTime: string): { scheduledTime: string } {
  return { scheduledTime };
}
