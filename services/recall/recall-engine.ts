import { errorMessage } from '../../lib/domain/errors.js';
import type { SourceOutcome } from '../../lib/domain/candidate.js';
import type { ConfiguredSource } from './sources/registry.js';
import type { RecallQuery } from './recall-source.js';

export interface RecallRun {
  readonly query: RecallQuery;
  /** Per-source deadline in ms; Infinity disables it (offline evaluation). */
  readonly timeoutMs: number;
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
    return Promise.all(this.sources.map((configured) => this.runOne(configured, run)));
  }

  private async runOne({ source, limit }: ConfiguredSource, run: RecallRun): Promise<SourceOutcome> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = source.recall(run.query, limit);
      const candidates = Number.isFinite(run.timeoutMs)
        ? await Promise.race([
            work,
            new Promise<'timeout'>((resolve) => {
              timer = setTimeout(resolve, run.timeoutMs, 'timeout');
            }),
          ])
        : await work;
      const millis = performance.now() - started;
      if (candidates === 'timeout') return { status: 'timeout', source: source.id, error: `no answer within ${run.timeoutMs} ms`, millis };
      return { status: 'ok', source: source.id, candidates, millis };
    } catch (error) {
      return { status: 'error', source: source.id, error: errorMessage(error), millis: performance.now() - started };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}
