#!/usr/bin/env node
// Runs the TypeScript CLI in place (tsx), so `npx ltv` and `npm start` need no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../functions/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
