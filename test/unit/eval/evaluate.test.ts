import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../lib/config/load-config.js';
import type { RecsysConfig } from '../../../lib/config/schema.js';
import { loadDataset, writeSyntheticDataset, type Dataset } from '../../../offline/data/index.js';
import { evaluate, formatReport } from '../../../offline/eval/evaluate.js';
import { makeSplit } from '../../../offline/make-split.js';
import { silentProgress } from '../../../offline/progress.js';

let dir: string;
let config: Readonly<RecsysConfig>;
let dataset: Dataset;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recsys-eval-'));
  config = parseConfig({
    evaluate: { bundleRoot: join(dir, 'eval-bundles') },
    rank: { enabled: false },
    jobs: { 'two-tower': { enabled: false }, ease: { enabled: false } },
    data: { synthetic: { users: 80, items: 150, interactions: 3000, seed: 5, dir: join(dir, 'data') } },
  });
  await writeSyntheticDataset(config.data.synthetic.dir, config.data.synthetic);
  dataset = (await loadDataset(config.data.synthetic.dir)).dataset;
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void describe('evaluate', () => {
  void it('counts and reports the calls a failing ranker left in recall order, and none when ranking works', async () => {
    const split = await makeSplit(dataset, 'random-811', 1);
    const failing = { rank: () => Promise.reject(new Error('ranker down')) };
    const report = await evaluate({ dataset, split, config, progress: silentProgress, rankPort: failing });
    assert.ok(report.users > 0);
    assert.deepEqual(report.degraded, { rank: report.users });
    assert.deepEqual(report.final, report.merged, 'every final list is the merged candidates in recall order');
    assert.match(formatReport(report), new RegExp(`WARNING: .*rank ${report.users} of ${report.users}`));

    const reversing = { rank: (input: { candidates: { items: Int32Array } }) => Promise.resolve({ scores: Float32Array.from(input.candidates.items, (_, k) => k), model: 'reverse', provider: 'cpu' }) };
    const ranked = await evaluate({ dataset, split, config, progress: silentProgress, rankPort: reversing });
    assert.deepEqual(ranked.degraded, {});
    assert.doesNotMatch(formatReport(ranked), /WARNING/);
    assert.notDeepEqual(ranked.final, ranked.merged, 'the ranker reordered the lists');
  });
});
