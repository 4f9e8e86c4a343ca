/**
 * Two-tower training on a random-811 split's train part with its valid part for early
 * stopping, printing every epoch's loss, validation NDCG@10 / recall@50 and seconds: the
 * loop used to choose the `jobs.two-tower` defaults (on valid, never test).
 *
 *   npm run build && node dist/bench/two-tower-train.bench.js --data <ratings file> [--set key=value ...]
 *
 * `--set` overrides one `jobs.two-tower` key (numbers, or JSON arrays for hidden widths).
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../lib/config/load-config.js';
import { loadDataset } from '../offline/data/load-dataset.js';
import { splitRandom811, TRAIN, VALID } from '../offline/data/splits.js';
import { buildTrainingData } from '../offline/jobs/training-data.js';
import { buildValidationSet } from '../offline/jobs/validation-set.js';
import { buildTowerFeatures } from '../offline/jobs/two-tower/two-tower.features.js';
import { trainTwoTower } from '../offline/jobs/two-tower/two-tower.trainer.js';
import { terminalProgress } from '../offline/progress.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, set: { type: 'string', multiple: true, default: [] } } });
if (values.data === undefined) throw new Error('--data <ratings file> is required');
const overrides: Record<string, unknown> = {};
for (const pair of values.set) {
  const [key, raw] = pair.split('=', 2);
  if (key === undefined || raw === undefined) throw new Error(`--set ${pair}: expected key=value`);
  overrides[key] = JSON.parse(raw) as unknown;
}
const config = parseConfig({ jobs: { 'two-tower': overrides } });
const { dataset } = await loadDataset(values.data);
const split = splitRandom811(dataset, config.split.seed);
const data = buildTrainingData(dataset, (row) => split.labels[row] === TRAIN);
const validation = buildValidationSet(dataset, (row) => split.labels[row] === VALID, false);
const options = config.jobs['two-tower'];
console.log(JSON.stringify(options));
const trained = await trainTwoTower(data, validation, buildTowerFeatures(dataset), options, terminalProgress, (line) => { console.log(line); });
console.log(`best epoch ${trained.bestEpoch}, ${trained.examples} examples, ${trained.seconds.toFixed(1)} s`);
