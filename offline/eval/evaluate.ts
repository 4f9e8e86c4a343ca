/**
 * Offline evaluation (DESIGN.md section 5): builds a bundle from the split's train part only,
 * runs the SAME in-process pipeline the server runs for every user with test items (history =
 * train, valid items passed as request exclusions), and scores each recall source alone, the
 * merged candidates in merge order, and the final list.
 */
import { z } from 'zod';
import type { RecsysConfig } from '../../lib/config/schema.js';
import { EmbeddedBundleStore } from '../../lib/stores/bundle/embedded-bundle-store.js';
import { loadServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import { ortSessionOptionsFromConfig } from '../../lib/onnx/ort-session.js';
import { EmbeddedHistoryStore } from '../../lib/stores/features/embedded-history-store.js';
import type { RankPort } from '../../services/recommend/rank-port.js';
import { createInProcessPipeline } from '../../services/server/in-process-pipeline.js';
import { addCount, formatCounts } from '../../lib/counts.js';
import type { Dataset } from '../data/dataset.js';
import type { ProgressFactory } from '../progress.js';
import { buildTrainingData } from '../jobs/training-data.js';
import { buildValidationSet } from '../jobs/validation-set.js';
import { buildBundle } from '../build-bundle.js';
import { bytesDigest, codeDigest, datasetDigest, rankerInputs, valueDigest } from '../digest.js';
import { METRIC_KS, RankingMetricsAccumulator, formatMetricsTable, metricsToJson, type MetricSummary } from './metrics.js';

const LABEL_TRAIN = 0;
const LABEL_VALID = 1;
const LABEL_TEST = 2;
const LIST_LENGTH = Math.max(...METRIC_KS);

export interface EvaluationSplit {
  readonly protocol: string;
  /** Per interaction row: 0 train, 1 valid, 2 test. */
  readonly labels: Uint8Array;
}

/** The keys of every metrics object in the JSON report, exactly these. */
export const REPORT_KEYS = ['recall@10', 'ndcg@10', 'hit@10', 'recall@20', 'ndcg@20', 'recall@50', 'ndcg@50', 'coverage@10'] as const;
export type ReportMetrics = Record<(typeof REPORT_KEYS)[number], number>;

function reportMetrics(summary: MetricSummary): ReportMetrics {
  const json = metricsToJson(summary);
  return Object.fromEntries(REPORT_KEYS.map((key) => [key, json[key] ?? 0])) as ReportMetrics;
}

/** Everything else the accumulator measured (users counted, hit@20, hit@50). */
function extraMetrics(summary: MetricSummary): Record<string, number> {
  const json = metricsToJson(summary);
  return Object.fromEntries(Object.entries(json).filter(([key]) => !(REPORT_KEYS as readonly string[]).includes(key)));
}

export interface RankerMetrics {
  readonly auc: number;
  readonly logloss: number;
}

/** The rank job's held-out metrics from the bundle manifest. */
function rankerMetrics(jobs: Readonly<Record<string, unknown>>): Record<string, RankerMetrics> | undefined {
  const parsed = rankDetailsSchema.safeParse(jobs['rank']);
  if (!parsed.success) return undefined;
  return Object.fromEntries(Object.entries(parsed.data.models).map(([model, metrics]) => [model, { auc: metrics.auc, logloss: metrics.logloss }]));
}

const rankDetailsSchema = z.object({ models: z.record(z.string(), z.object({ auc: z.number(), logloss: z.number() })) });

export interface EvaluationReport {
  readonly dataset: { name: string; users: number; items: number; interactions: number };
  readonly protocol: string;
  readonly split: { train: number; valid: number; test: number };
  readonly users: number;
  readonly bundleVersion: string;
  readonly final: ReportMetrics;
  readonly merged: ReportMetrics;
  readonly sources: Record<string, ReportMetrics>;
  /** Per ranker model: AUC and logloss on the held-out labelled pairs (absent when the bundle has no ranker). */
  readonly ranker?: Record<string, RankerMetrics>;
  /** Per list: users counted, hit@20, hit@50. */
  readonly extra: Record<string, Record<string, number>>;
  /**
   * Calls answered without a recall source or the ranker, per source (`rank` = the final list is
   * recall order); empty when none. Offline there are no deadlines, so these are failures.
   */
  readonly degraded: Record<string, number>;
  readonly seconds: number;
}

export interface EvaluateOptions {
  readonly dataset: Dataset;
  readonly split: EvaluationSplit;
  readonly config: Readonly<RecsysConfig>;
  readonly progress: ProgressFactory;
  readonly log?: (line: string) => void;
  /** The ranker to evaluate instead of the bundle's own (e.g. a rank role's client); null = recall order. */
  readonly rankPort?: RankPort | null;
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluationReport> {
  const started = performance.now();
  const { dataset, split, config } = options;
  const labels = split.labels;
  const data = buildTrainingData(dataset, (row) => labels[row] === LABEL_TRAIN);

  // The train-only bundle is cached under the digests of data, split, config and the code that builds it.
  const store = new EmbeddedBundleStore(config.evaluate.bundleRoot);
  const version = `eval-${valueDigest([datasetDigest(dataset), bytesDigest(labels), config.jobs, ...rankerInputs(config), codeDigest()]).slice(0, 24)}`;
  const cached = (await store.versions()).includes(version);
  if (!cached) await buildBundle({ data, validation: buildValidationSet(dataset, (row) => labels[row] === LABEL_VALID, false), config, store, progress: options.progress, version, makeCurrent: false });
  else options.log?.(`evaluate: reusing train-only bundle ${version}`);
  const bundle = await loadServingBundle(store, version, { efSearch: config.stores.vectors.efSearch, ort: ortSessionOptionsFromConfig(config.onnx) });
  await store.prune(config.evaluate.keepBundles, [version]);
  const pipeline = createInProcessPipeline(bundle, config, new EmbeddedHistoryStore(), { deadlines: false, ...(options.rankPort !== undefined ? { rankPort: options.rankPort } : {}) });

  // Per user: valid item ids (request exclusions) and test item indices (sorted).
  const users = dataset.userIds.length;
  const valid: string[][] = Array.from({ length: users }, () => []);
  const test: number[][] = Array.from({ length: users }, () => []);
  const counts = { train: 0, valid: 0, test: 0 };
  const { user, item } = dataset.interactions;
  for (let row = 0; row < labels.length; row++) {
    const label = labels[row];
    if (label === LABEL_VALID) {
      valid[user[row]!]!.push(dataset.itemIds[item[row]!]!);
      counts.valid++;
    } else if (label === LABEL_TEST) {
      test[user[row]!]!.push(item[row]!);
      counts.test++;
    } else counts.train++;
  }

  const catalogueSize = dataset.itemIds.length;
  const finalMetrics = new RankingMetricsAccumulator(catalogueSize);
  const mergedMetrics = new RankingMetricsAccumulator(catalogueSize);
  const sourceMetrics = new Map<string, RankingMetricsAccumulator>();
  const evaluated = test.map((items, u) => (items.length > 0 ? u : -1)).filter((u) => u >= 0);
  const degraded: Record<string, number> = {};
  const bar = options.progress('evaluate', evaluated.length);
  for (const u of evaluated) {
    const relevant = Int32Array.from(test[u]!).sort();
    const result = await pipeline.recommend({ userId: dataset.userIds[u]!, count: LIST_LENGTH, excludeItemIds: valid[u]! });
    for (const source of result.degradedSources) addCount(degraded, source);
    finalMetrics.add(result.items, relevant);
    mergedMetrics.add(result.merged.items.subarray(0, LIST_LENGTH), relevant);
    for (const outcome of result.outcomes) {
      let accumulator = sourceMetrics.get(outcome.source);
      if (!accumulator) sourceMetrics.set(outcome.source, (accumulator = new RankingMetricsAccumulator(catalogueSize)));
      accumulator.add(outcome.status === 'ok' ? outcome.candidates.items.subarray(0, LIST_LENGTH) : new Int32Array(0), relevant);
    }
    bar.tick();
  }
  bar.done();
  await pipeline.close();

  const ranker = rankerMetrics(bundle.manifest.jobs);
  const sources: Record<string, ReportMetrics> = {};
  const extra: Record<string, Record<string, number>> = { final: extraMetrics(finalMetrics.summary()), merged: extraMetrics(mergedMetrics.summary()) };
  for (const [source, accumulator] of sourceMetrics) {
    sources[source] = reportMetrics(accumulator.summary());
    extra[`sources.${source}`] = extraMetrics(accumulator.summary());
  }
  return {
    dataset: { name: dataset.name, users, items: catalogueSize, interactions: dataset.interactions.length },
    protocol: split.protocol,
    split: counts,
    users: evaluated.length,
    bundleVersion: version,
    final: reportMetrics(finalMetrics.summary()),
    merged: reportMetrics(mergedMetrics.summary()),
    sources,
    ...(ranker ? { ranker } : {}),
    extra,
    degraded,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The report as a markdown table: every source alone, the merged candidates, the final list. */
export function formatReport(report: EvaluationReport): string {
  const toSummary = (values: ReportMetrics, key: string): MetricSummary => {
    const more = report.extra[key] ?? {};
    return { users: more.users ?? 0, values: { ...values, 'hit@20': more['hit@20'] ?? 0, 'hit@50': more['hit@50'] ?? 0 } };
  };
  const rows = [
    ...Object.entries(report.sources).map(([name, values]) => ({ name: `source/${name}`, summary: toSummary(values, `sources.${name}`) })),
    { name: 'merged', summary: toSummary(report.merged, 'merged') },
    { name: 'final', summary: toSummary(report.final, 'final') },
  ];
  const header = `Evaluation of ${report.dataset.name} (${report.dataset.users} users, ${report.dataset.items} items, ${report.dataset.interactions} interactions), protocol ${report.protocol}: train ${report.split.train} / valid ${report.split.valid} / test ${report.split.test}`;
  const ranker = report.ranker
    ? `\nRanker on held-out labelled pairs:\n\n| model | AUC | logloss |\n| --- | ---: | ---: |\n${Object.entries(report.ranker).map(([model, m]) => `| ${model} | ${m.auc.toFixed(4)} | ${m.logloss.toFixed(4)} |`).join('\n')}\n`
    : '';
  const degraded = Object.keys(report.degraded).length > 0
    ? `\nWARNING: calls answered without a source or the ranker (failures: no deadlines apply offline): ${formatCounts(report.degraded)} of ${report.users}\n`
    : '';
  return `${header}\n\n${formatMetricsTable(rows)}\n${ranker}${degraded}`;
}

