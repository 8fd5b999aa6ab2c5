// The repository root, where package.json, package-lock.json, queries/ and the handlers live.
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');
