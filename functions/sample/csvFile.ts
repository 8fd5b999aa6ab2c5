// Buffered CSV writing with backpressure, so generating millions of rows keeps memory flat.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { csvQuote } from '../text/csv.ts';

const FLUSH_AT = 1 << 16;

export class CsvFile {
  private buffer = '';
  private readonly stream: WriteStream;
  rows = 0;

  constructor(file: string, header: readonly string[]) {
    this.stream = createWriteStream(file);
    this.buffer = `${header.join(',')}\n`;
  }

  async row(cells: readonly string[]): Promise<void> {
    this.buffer += `${cells.map(csvQuote).join(',')}\n`;
    this.rows++;
    if (this.buffer.length >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
