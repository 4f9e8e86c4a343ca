#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm run build` (run by `npm ci` through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'dist', 'bin', 'cli', 'main.js');
if (!existsSync(entry)) {
  console.error('recsys: not built yet; run `npm ci` (or `npm run build`) first');
  process.exit(1);
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
