import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTinyBundle, type TinyBundle } from '../support/tiny-bundle.js';
import { RecommendClient } from '../../services/server/recommend-client.js';

const BIN = fileURLToPath(new URL('../../../bin/recsys.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code, stdout, stderr }); });
  });
}

void describe('recsys CLI', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recsys-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('prints help for every command', async () => {
    for (const command of ['data', 'train', 'evaluate', 'serve', 'demo']) {
      const result = await run([command, '--help']);
      assert.equal(result.code, 0, command);
      assert.match(result.stdout, new RegExp(`recsys ${command}`));
    }
  });

  void it('fails with one line and a non-zero exit on bad arguments', async () => {
    for (const args of [['bogus'], ['train', '--nope'], ['serve', '--port', 'abc'], ['train', '--job', 'no-such-job'], ['evaluate', '--protocol', 'x']]) {
      const result = await run(args);
      assert.ok(result.code !== 0 && result.code !== null, args.join(' '));
      assert.equal(result.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${result.stderr}`);
    }
  });

  void it('fails with one line on unreadable input', async () => {
    const missing = await run(['data', '--data', join(dir, 'missing.csv')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing\.csv/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    const garbage = join(dir, 'ratings.csv');
    await writeFile(garbage, 'userId,movieId,rating,timestamp\nx,y,z,w\n1,2,9,q\n');
    const bad = await run(['data', '--data', garbage]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /RECSYS_ERR_DATA_TOO_MANY_BAD_ROWS/);
  });

  void it('says in one line how to make a bundle when none exists', async () => {
    const result = await run(['serve', '--port', '0', '--bundle-root', join(dir, 'empty')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /npm run train/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });
});

void describe('recsys serve process', () => {
  let tiny: TinyBundle;
  before(async () => {
    tiny = await makeTinyBundle();
  });
  after(async () => {
    await tiny.cleanup();
  });

  void it('serves until SIGTERM, then drains and exits 0', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--bundle-root', tiny.config.bundle.root], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, RECSYS_LOG_LEVEL: 'warn' },
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const port = await new Promise<number>((resolve, reject) => {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /on 127\.0\.0\.1:(\d+)/.exec(stderr);
        if (match) resolve(Number(match[1]));
      });
      child.on('close', () => { reject(new Error(`server exited early: ${stderr}`)); });
    });
    const client = new RecommendClient(`127.0.0.1:${port}`);
    try {
      const inFlight = Array.from({ length: 20 }, (_, i) => client.recommend({ user_id: `u${i}`, count: 10 }));
      const response = await client.recommend({ user_id: 'x', count: 3 });
      assert.equal(response.items.length, 3);
      child.kill('SIGTERM');
      const results = await Promise.allSettled(inFlight);
      assert.ok(results.every((result) => result.status === 'fulfilled'), 'every in-flight call completes');
    } finally {
      client.close();
    }
    assert.equal(await exited, 0);
  });
});
