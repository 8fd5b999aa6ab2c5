import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { LocalFolderStore } from '../../functions/storage/localFolderStore.ts';
import { describeObjectStoreContract } from './objectStoreContract.ts';

let dir: string;
let stores = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ltv-local-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeObjectStoreContract('LocalFolderStore', async () => new LocalFolderStore(path.join(dir, `store-${++stores}`)));
