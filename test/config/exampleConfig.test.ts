import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';

describe('the documented example configuration', () => {
  it('is valid as shipped', async () => {
    const file = path.resolve(import.meta.dirname, '../../ltv.config.example.json');
    const config = parseConfig(JSON.parse(await readFile(file, 'utf8')), file);
    expect(config.timeZone).toBe('Europe/Berlin');
    expect(config.recipients).toHaveLength(2);
  });
});
