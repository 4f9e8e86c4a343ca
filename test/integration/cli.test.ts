import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

  void it('evaluates through the CLI and writes JSON with exactly the documented keys', async () => {
    const config = join(dir, 'small.yaml');
    await writeFile(config, [
      'data:',
      '  synthetic: { users: 120, items: 200, interactions: 5000, seed: 3, dir: ' + JSON.stringify(join(dir, 'synthetic')) + ' }',
      'bundle: { root: ' + JSON.stringify(join(dir, 'bundles')) + ' }',
      'evaluate: { bundleRoot: ' + JSON.stringify(join(dir, 'eval-bundles')) + ' }',
      '',
    ].join('\n'));
    const out = join(dir, 'eval.json');
    const result = await run(['evaluate', '--config', config, '--protocol', 'temporal', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\| final \|/);
    const report = JSON.parse(await readFile(out, 'utf8')) as { final: object; merged: object; sources: Record<string, object>; protocol: string; degraded: object };
    assert.deepEqual(report.degraded, {}, 'no call answered without a source or the ranker');
    const keys = ['recall@10', 'ndcg@10', 'hit@10', 'recall@20', 'ndcg@20', 'recall@50', 'ndcg@50', 'coverage@10'];
    assert.equal(report.protocol, 'temporal');
    for (const metrics of [report.final, report.merged, ...Object.values(report.sources)]) {
      assert.deepEqual(Object.keys(metrics).sort(), [...keys].sort());
      for (const value of Object.values(metrics)) assert.equal(typeof value, 'number');
    }
    assert.ok('item-cf' in report.sources && 'popular' in report.sources);
  });

  void it('loads a generic CSV log with a column mapping', async () => {
    const log = join(dir, 'events.csv');
    await writeFile(log, 'uid;iid;stars;when\nA;x;5;100\nA;y;3;101\nB;x;4;100\nB;z;2;104\n');
    const result = await run(['data', '--data', log, '--columns', 'user=uid,item=iid,rating=stars,timestamp=when', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as { users: number; items: number; interactions: number };
    assert.deepEqual([summary.users, summary.items, summary.interactions], [2, 3, 4]);
    const bad = await run(['data', '--data', log, '--columns', 'user=uid']);
    assert.equal(bad.code, 2);
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

  void it('under 200 concurrent calls, SIGTERM drains every in-flight call and exits 0', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--bundle-root', tiny.config.bundle.root], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, RECSYS_LOG_LEVEL: 'warn', RECSYS_METRICS_PORT: '0' },
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
      await client.recommend({ user_id: 'x', count: 3 }); // connected
      // 200 concurrent calls; SIGTERM as soon as the first has been answered, with the rest in flight.
      let done = 0;
      let doneAtSignal = -1;
      const inFlight = Array.from({ length: 200 }, (_, i) =>
        client.recommend({ user_id: `u${i}`, count: 10 }).finally(() => {
          done++;
          if (doneAtSignal < 0) {
            doneAtSignal = done;
            child.kill('SIGTERM');
          }
        }),
      );
      const results = await Promise.allSettled(inFlight);
      const failed = results.filter((result) => result.status === 'rejected').map((result) => String(result.reason));
      assert.deepEqual(failed, [], 'every in-flight call completes');
      assert.ok(doneAtSignal < 200, `SIGTERM was sent with ${200 - doneAtSignal} calls in flight`);
    } finally {
      client.close();
    }
    assert.equal(await exited, 0);
  });
});

void describe('recsys serve with an unreachable MongoDB', () => {
  let tiny: TinyBundle;
  before(async () => {
    tiny = await makeTinyBundle();
  });
  after(async () => {
    await tiny.cleanup();
  });

  void it('fails at start with one line naming the dependency', async () => {
    const result = await run(['serve', '--port', '0', '--bundle-root', tiny.config.bundle.root], {
      RECSYS_STORES_SIMILARITY: 'mongodb://127.0.0.1:1/recsys?serverSelectionTimeoutMS=300',
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /RECSYS_ERR_STORE_UNAVAILABLE/);
  });

  void it('rejects a store URI with an unknown scheme, naming the key', async () => {
    const result = await run(['serve', '--port', '0', '--bundle-root', tiny.config.bundle.root], { RECSYS_STORES_HISTORY: 'redis://x' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /stores\.history/);
  });
});
