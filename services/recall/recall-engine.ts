import { errorMessage } from '../../lib/domain/errors.js';
import type { SourceOutcome } from '../../lib/domain/candidate.js';
import type { ConfiguredSource } from './sources/registry.js';
import type { RecallQuery } from './recall-source.js';

export interface RecallRun {
  readonly query: RecallQuery;
  /**
   * Cap on every source's deadline in ms (the request's remaining budget); each source waits
   * min(its own timeoutMs, this). Infinity = no cap (sources without their own deadline then wait
   * as long as they take: offline evaluation builds them so).
   */
  readonly timeoutMs: number;
  /** Sources to run (an experiment's subset); null or absent = all. */
  readonly sources?: readonly string[] | null;
}

/**
 * Runs every configured source in parallel. A source that throws or misses its deadline
 * becomes an `error`/`timeout` outcome; it never fails the call (fail-open).
 */
export class RecallEngine {
  constructor(readonly sources: readonly ConfiguredSource[]) {}

  get sourceIds(): string[] {
    return this.sources.map((configured) => configured.source.id);
  }

  recall(run: RecallRun): Promise<SourceOutcome[]> {
    const wanted = run.sources;
    const sources = wanted ? this.sources.filter((configured) => wanted.includes(configured.source.id)) : this.sources;
    return Promise.all(sources.map((configured) => this.runOne(configured, run)));
  }

  private async runOne({ source, limit, timeoutMs: own }: ConfiguredSource, run: RecallRun): Promise<SourceOutcome> {
    const started = performance.now();
    const timeoutMs = Math.min(own ?? Number.POSITIVE_INFINITY, run.timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = source.recall(run.query, limit);
      const candidates = Number.isFinite(timeoutMs)
        ? await Promise.race([
            work,
            new Promise<'timeout'>((resolve) => {
              timer = setTimeout(resolve, Math.max(0, timeoutMs), 'timeout');
            }),
          ])
        : await work;
      const millis = performance.now() - started;
      if (candidates === 'timeout') return { status: 'timeout', source: source.id, error: `no answer within ${timeoutMs} ms`, millis };
      return { status: 'ok', source: source.id, candidates, millis };
    } catch (error) {
      return { status: 'error', source: source.id, error: errorMessage(error), millis: performance.now() - started };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}
