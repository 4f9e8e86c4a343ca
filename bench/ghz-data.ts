/**
 * Writes the ghz data file of real user ids from a bundle (deploy/ghz/README.md):
 *
 *   npm run --silent ghz:data -- [--bundle-root var/bundles] [--users 1000] [--count 10] [--out deploy/ghz/users.json]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config/load-config.js';
import { ARTIFACT, decodeUsers } from '../lib/stores/bundle/artifacts.js';
import { EmbeddedBundleStore } from '../lib/stores/bundle/embedded-bundle-store.js';
import { ghzRecommendMessages } from './serve/ghz-data.js';

const USAGE = 'usage: npm run --silent ghz:data -- [--bundle-root <dir>] [--users <n>] [--count <n>] [--out <file>] [--config <file>]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'bundle-root': { type: 'string' }, users: { type: 'string' }, count: { type: 'string' }, out: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const users = Number(values.users ?? 1000);
  const count = Number(values.count ?? 10);
  if (!Number.isInteger(users) || users < 1 || !Number.isInteger(count) || count < 1) {
    process.stderr.write(`ghz:data: --users and --count must be positive integers\n${USAGE}\n`);
    return 2;
  }
  const root = values['bundle-root'] ?? loadConfig({ path: values.config }).bundle.root;
  const store = new EmbeddedBundleStore(root);
  const version = await store.current();
  if (version === null) {
    process.stderr.write(`ghz:data: no bundle in ${root}: run \`npm run train\` (or bench:serve, then pass its bundle folder under var/bench/bundles)\n`);
    return 1;
  }
  const manifest = await store.readManifest(version);
  const messages = ghzRecommendMessages(decodeUsers(await store.readArtifact(version, manifest, ARTIFACT.users)), users, count);
  const out = values.out ?? 'deploy/ghz/users.json';
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(messages)}\n`);
  process.stderr.write(`wrote ${messages.length} Recommend requests (users of bundle ${version}) to ${out}\n`);
  return 0;
}

process.exitCode = await main();
