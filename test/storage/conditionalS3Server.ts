// An S3-compatible server on 127.0.0.1 with create-only writes: fauxqs (in this process, in
// memory) behind a small proxy that answers a PUT with `If-None-Match: *` on an existing key
// with S3's 412, one such PUT at a time, as S3 does. fauxqs ignores the header (docs/storage.md),
// and the lake's lock depends on it, so writers in other processes can be tested against S3.
import http from 'node:http';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';

export interface ConditionalS3Server {
  endpoint: string;
  client: S3Client;
  /** The `s3` settings of a configuration that reaches this server. */
  settings: { endpoint: string; forcePathStyle: true; region: string };
  /** Environment a child process needs to reach it (fauxqs checks no signature, the SDK wants one). */
  env: Record<string, string>;
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

const PRECONDITION_FAILED =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>';

interface Exchange {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(upstream: URL, request: { method: string; url: string; headers: http.IncomingHttpHeaders }, body?: Buffer): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const call = http.request({ host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: { ...request.headers, host: upstream.host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    call.on('error', reject);
    call.end(body);
  });
}

/** A client for an S3-compatible test server: path-style, test credentials, checksums only where S3 requires them. */
export function testS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function startConditionalS3Server(): Promise<ConditionalS3Server> {
  const app = buildApp({ logger: false });
  const upstream = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
  let conditional: Promise<unknown> = Promise.resolve();
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const createOnly = req.method === 'PUT' && req.headers['if-none-match'] === '*' && !(req.url ?? '').includes('uploadId=');
      const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
      const answer = async (): Promise<Exchange> => {
        if (createOnly) {
          const existing = await send(upstream, { method: 'HEAD', url: request.url.split('?')[0]!, headers: {} });
          if (existing.status === 200) return { status: 412, headers: { 'content-type': 'application/xml' }, body: Buffer.from(PRECONDITION_FAILED) };
        }
        return send(upstream, request, body);
      };
      // Create-only writes are decided one after another, so two of them never both see "absent".
      const done = createOnly ? (conditional = conditional.then(answer, answer)) : answer();
      (done as Promise<Exchange>).then(
        (r) => {
          const headers = { ...r.headers };
          delete headers['transfer-encoding'];
          res.writeHead(r.status, { ...headers, 'content-length': String(r.body.length) });
          res.end(req.method === 'HEAD' ? undefined : r.body);
        },
        (err: unknown) => {
          res.writeHead(502);
          res.end(String(err));
        },
      );
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address() as { port: number };
  const endpoint = `http://127.0.0.1:${address.port}`;
  const env = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
  const client = testS3Client(endpoint);
  return {
    endpoint,
    client,
    settings: { endpoint, forcePathStyle: true, region: 'us-east-1' },
    env,
    createBucket: async (name) => void (await client.send(new CreateBucketCommand({ Bucket: name }))),
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await app.close();
    },
  };
}
