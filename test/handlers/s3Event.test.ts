import { describe, expect, it } from 'vitest';
import { createdObjectsOf, exportKeysOf } from '../../functions/handlers/s3Event.ts';
import { s3PutEvent } from './lambdaEvents.ts';

describe('createdObjectsOf', () => {
  it('decodes keys as S3 encodes them: + is a space, %2B a plus, %xx UTF-8', () => {
    // Prepare: keys as they appear in notifications
    const event = s3PutEvent('acme-ltv-exports', ['first', 'second']);
    event.Records[0]!.s3.object.key = 'crm/week+47/orders-2026%2B11.csv';
    event.Records[1]!.s3.object.key = 'crm/M%C3%BCller%20GmbH/customers.csv';

    // Act
    const { created } = createdObjectsOf(event);

    // Assess
    expect(created).toEqual([
      { bucket: 'acme-ltv-exports', key: 'crm/week 47/orders-2026+11.csv' },
      { bucket: 'acme-ltv-exports', key: 'crm/Müller GmbH/customers.csv' },
    ]);
  });

  it('leaves out events other than object-created ones, saying why', () => {
    // Act
    const { created, ignored } = createdObjectsOf(s3PutEvent('acme-ltv-exports', ['crm/orders.csv'], 'ObjectRemoved:Delete'));

    // Assess
    expect(created).toEqual([]);
    expect(ignored).toEqual([{ object: 's3://acme-ltv-exports/crm/orders.csv', reason: 'ObjectRemoved:Delete is not an object-created event' }]);
  });

  it.each([
    [{}, 'Records:'],
    [{ Records: [] }, 'Records:'],
    [{ Records: [{ eventSource: 'aws:sqs', eventName: 'x', s3: { bucket: { name: 'b' }, object: { key: 'k' } } }] }, 'Records.0.eventSource:'],
    [{ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'orders%E0%A4%A.csv' } } }] }, 'is not a URL-encoded object key'],
  ])('refuses what is not an S3 notification: %j', (event, problem) => {
    expect(() => createdObjectsOf(event)).toThrow(/^not an S3 object notification: /);
    expect(() => createdObjectsOf(event)).toThrow(problem);
  });
});

describe('exportKeysOf', () => {
  const objects = [
    { bucket: 'acme-ltv-exports', key: 'crm/orders.csv' },
    { bucket: 'acme-ltv-exports', key: 'crm/orders.csv' },
    { bucket: 'acme-ltv-exports', key: 'crm-archive/orders.csv' },
    { bucket: 'acme-ltv-exports', key: 'crm/' },
    { bucket: 'another-bucket', key: 'crm/customers.csv' },
  ];

  it('keeps the objects under exports.dir, relative to it and each once, and names the others', () => {
    // Act
    const { keys, outside } = exportKeysOf(objects, 's3://acme-ltv-exports/crm');

    // Assess
    expect(keys).toEqual(['orders.csv']);
    expect(outside.map((o) => o.object)).toEqual(['s3://acme-ltv-exports/crm-archive/orders.csv', 's3://acme-ltv-exports/crm/', 's3://another-bucket/crm/customers.csv']);
    expect(outside[0]!.reason).toBe('not under exports.dir (s3://acme-ltv-exports/crm)');
  });

  it('takes a whole bucket as exports.dir', () => {
    expect(exportKeysOf(objects.slice(0, 3), 's3://acme-ltv-exports').keys).toEqual(['crm/orders.csv', 'crm-archive/orders.csv']);
  });

  it('reads the key as a path inside the folder when exports.dir is a folder', () => {
    expect(exportKeysOf([{ bucket: 'any', key: 'crm/week 47/orders.csv' }], 'exports').keys).toEqual(['crm/week 47/orders.csv']);
  });
});
