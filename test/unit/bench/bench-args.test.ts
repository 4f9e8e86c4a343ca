import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { BenchUsageError, parseServeBenchArgs, type ServeBenchArgs } from '../../../bench/serve/bench-args.js';

function parsed(argv: string[]): ServeBenchArgs {
  const args = parseServeBenchArgs(argv);
  assert.notEqual(args, 'help');
  return args as ServeBenchArgs;
}

void describe('parseServeBenchArgs', () => {
  void it('reads the issue command line', () => {
    const args = parsed(['--data', 'd/ratings.dat', '--candidates', '500', '--concurrency', '32', '--duration', '20', '--out', 'r.json']);
    assert.equal(args.data, 'd/ratings.dat');
    assert.equal(args.candidates, 500);
    assert.equal(args.concurrency, 32);
    assert.equal(args.duration, 20);
    assert.equal(args.echoDuration, 10);
    assert.equal(args.out, 'r.json');
    assert.equal(args.rate, 0);
    assert.equal(args.workers, 1);
    assert.equal(args.noEcho, false);
  });

  void it('has defaults for everything and takes rate, warm-up, workers and fractional seconds', () => {
    const defaults = parsed([]);
    assert.deepEqual([defaults.data, defaults.candidates, defaults.concurrency, defaults.duration, defaults.warmup, defaults.count], ['', 500, 32, 20, 3, 10]);
    const args = parsed(['--rate', '800', '--warmup', '0', '--workers', '2', '--duration', '2.5', '--no-echo', '--cpu-prof', 'prof']);
    assert.deepEqual([args.rate, args.warmup, args.workers, args.duration, args.echoDuration, args.noEcho, args.cpuProf], [800, 0, 2, 2.5, 2.5, true, 'prof']);
  });

  void it('names the flag of a bad value or an unknown flag', () => {
    assert.throws(() => parseServeBenchArgs(['--candidates', '0']), (error: unknown) => error instanceof BenchUsageError && error.message.startsWith('--candidates'));
    assert.throws(() => parseServeBenchArgs(['--concurrency', '3.5']), /--concurrency/);
    assert.throws(() => parseServeBenchArgs(['--duration', 'x']), /--duration/);
    assert.throws(() => parseServeBenchArgs(['--duration', '']), /--duration/);
    assert.throws(() => parseServeBenchArgs(['--workers', '4', '--concurrency', '2']), /--workers/);
    assert.throws(() => parseServeBenchArgs(['--bogus']), BenchUsageError);
    assert.equal(parseServeBenchArgs(['-h']), 'help');
  });
});
