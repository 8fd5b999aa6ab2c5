// An SES stand-in on 127.0.0.1 for end-to-end tests of the deployed weekly function: it answers
// SendRawEmail in SES's query protocol and keeps each message as it arrived.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedEmail {
  source: string | null;
  destinations: string[];
  configurationSet: string | null;
  raw: Buffer;
}

export interface SesStandIn {
  endpoint: string;
  messages: CapturedEmail[];
  close(): Promise<void>;
}

export async function startSesStandIn(): Promise<SesStandIn> {
  const messages: CapturedEmail[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (form.get('Action') !== 'SendRawEmail') {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the stand-in does not do ${form.get('Action')}</Message></Error></ErrorResponse>`);
        return;
      }
      const destinations = [...form.entries()].filter(([k]) => /^Destinations\.member\.\d+$/.test(k)).map(([, v]) => v);
      messages.push({ source: form.get('Source'), destinations, configurationSet: form.get('ConfigurationSetName'), raw: Buffer.from(form.get('RawMessage.Data') ?? '', 'base64') });
      const id = `0100${randomUUID().replace(/-/g, '')}-000000`;
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        `<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>${id}</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></SendRawEmailResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
