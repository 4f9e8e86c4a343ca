import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';

import { packageRoot } from '../../../lib/config/load-config.js';
import { loadRecsysPackageDefinition } from '../../../services/server/load-proto.js';
import { ghzRecommendMessages } from '../../../bench/serve/ghz-data.js';

/** Config keys of ghz (runner/config.go `Config`, json tags, ghz v0.120). */
const GHZ_KEYS = new Set([
  'proto', 'protoset', 'call', 'cacert', 'cert', 'key', 'skipTLS', 'skipFirst', 'cname', 'authority', 'insecure', 'total', 'async',
  'concurrency', 'concurrency-schedule', 'concurrency-start', 'concurrency-end', 'concurrency-step', 'concurrency-step-duration',
  'concurrency-max-duration', 'connections', 'rps', 'duration', 'duration-stop', 'max-duration', 'timeout', 'data', 'data-file',
  'binary-file', 'metadata', 'metadata-file', 'stream-interval', 'output', 'format', 'connect-timeout', 'keepalive', 'cpus',
  'import-paths', 'name', 'tags', 'reflect-metadata', 'debug', 'host', 'enable-compression', 'load-schedule', 'load-start',
  'load-end', 'load-step', 'load-step-duration', 'load-max-duration',
]);
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

const root = packageRoot();
const dir = join(root, 'deploy', 'ghz');

/** Field names of a message type in a loaded package definition. */
function fieldsOf(definition: PackageDefinition, typeName: string): Set<string> {
  const type = definition[typeName] as { type?: { field?: { name: string }[] } } | undefined;
  assert.ok(type?.type?.field, `message ${typeName}`);
  return new Set(type.type.field.map((field) => field.name));
}

/** The request type of `package.Service.Method`, via the service definition. */
function requestType(definition: PackageDefinition, call: string): string {
  const dot = call.lastIndexOf('.');
  const service = definition[call.slice(0, dot)] as Record<string, { requestType?: { type?: { name?: string } }; path?: string }> | undefined;
  const method = service?.[call.slice(dot + 1)];
  assert.ok(method?.path, `${call} is a method of the served proto`);
  return `${call.slice(0, call.lastIndexOf('.', dot - 1))}.${method.requestType!.type!.name!}`;
}

void describe('deploy/ghz configs', () => {
  const files = readdirSync(dir).filter((name) => name.endsWith('.json') && name !== 'users.json');

  void it('has max-throughput, constant-rate, proto-file and echo runs', () => {
    assert.deepEqual(files.sort(), ['echo-max.json', 'recommend-max.json', 'recommend-proto.json', 'recommend-rate.json']);
  });

  for (const file of files) {
    void it(`${file}: only ghz keys, a served method, Go durations, and messages with that method's fields`, () => {
      const config = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
      for (const key of Object.keys(config)) assert.ok(GHZ_KEYS.has(key), `unknown ghz key ${key}`);
      for (const key of ['duration', 'timeout']) if (key in config) assert.match(String(config[key]), GO_DURATION, key);
      assert.equal(config.insecure, true);
      let definition = loadRecsysPackageDefinition();
      if (typeof config.proto === 'string') {
        // Proto mode: the file and import paths alone must resolve the method (as ghz resolves them from the repository root).
        const includeDirs = (config['import-paths'] as string[]).map((path) => join(root, path));
        assert.ok(existsSync(join(root, config.proto)));
        definition = loadSync(config.proto.replace(/^proto\//, ''), { includeDirs, keepCase: true });
      }
      const fields = fieldsOf(definition, requestType(definition, String(config.call)));
      if (config.rps !== undefined) assert.ok(Number.isInteger(config.rps) && (config.rps as number) > 0);
      if (config.data !== undefined) for (const key of Object.keys(config.data as object)) assert.ok(fields.has(key), `data field ${key}`);
      else assert.equal(config['data-file'], 'deploy/ghz/users.json');
      if (config['data-file'] !== undefined) {
        for (const key of Object.keys(ghzRecommendMessages(['1'], 1, 10)[0]!)) assert.ok(fields.has(key), `data-file field ${key}`);
      }
    });
  }
});

void describe('ghzRecommendMessages', () => {
  void it('spreads the requested number of users evenly over the bundle, in order, with the count', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `u${i}`);
    assert.deepEqual(ghzRecommendMessages(ids, 5, 20), ['u0', 'u2', 'u4', 'u6', 'u8'].map((user_id) => ({ user_id, count: 20 })));
    assert.equal(ghzRecommendMessages(ids, 50, 10).length, 10);
    assert.deepEqual(ghzRecommendMessages([], 5, 10), []);
  });
});
