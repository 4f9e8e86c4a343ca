import { ARTIFACT } from '../../lib/stores/bundle/artifacts.js';
import type { SimilarityTable } from '../../lib/stores/similarity/similarity-table.js';
import type { JobContext, JobOutput } from './job.js';
import { resolveThreads } from './parallel/i2i-pool.js';
import { PeakRssSampler } from './parallel/peak-rss.js';
import { i2iTables } from './similarity-tables.js';

export interface I2iJobSpec {
  /** Job and table name: writes `<name>` (history) and `<name>-target` tables. */
  readonly name: string;
  /** Configured threads (0 = one per core). */
  readonly threads: number;
  readonly normalise: boolean;
  /** Parameters recorded in the tables' metadata and the job details. */
  readonly meta: Readonly<Record<string, unknown>>;
  /** The raw top-K table on `threads` threads, ticking once per finished row. */
  compute(threads: number, tick: (rows: number) => void): Promise<SimilarityTable>;
}

/** What every i2i job does around its kernel: progress, peak RSS, both served tables, details. */
export async function runI2iJob({ data, progress }: JobContext, spec: I2iJobSpec): Promise<JobOutput> {
  const threads = resolveThreads(spec.threads);
  const bar = progress(spec.name, data.items);
  const started = performance.now();
  const memory = new PeakRssSampler();
  const neighbours = await spec.compute(threads, (n) => {
    memory.maybeSample();
    bar.tick(n);
  });
  bar.done();
  const { history, target } = i2iTables(neighbours, spec.normalise);
  return {
    artifacts: [
      { name: ARTIFACT.similarity(spec.name), bytes: history.encode({ ...spec.meta, convention: 'history' }) },
      { name: ARTIFACT.similarity(`${spec.name}-target`), bytes: target.encode({ ...spec.meta, convention: 'target' }) },
    ],
    details: { ...spec.meta, threads, entries: neighbours.items.length, seconds: (performance.now() - started) / 1000, ...memory.stop() },
  };
}
