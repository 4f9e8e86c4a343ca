import cliProgress from 'cli-progress';

export interface Progress {
  /** Advances by `n` units. */
  tick(n?: number): void;
  /** Optional status shown beside the bar (e.g. a running loss). */
  note?(text: string): void;
  done(): void;
}

export type ProgressFactory = (label: string, total: number) => Progress;

/**
 * A progress bar with ETA on an interactive stderr; on a pipe or in CI one line at the
 * end, so logs stay readable.
 */
export const terminalProgress: ProgressFactory = (label, total) => {
  const started = performance.now();
  if (!process.stderr.isTTY) {
    return {
      tick: () => undefined,
      done: () => {
        process.stderr.write(`${label}: ${total} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label.padEnd(18)} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} {note}`, stream: process.stderr, hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { note: '' });
  let value = 0;
  return {
    tick(n = 1) {
      value += n;
      bar.update(value);
    },
    note(text) {
      bar.update(value, { note: text });
    },
    done() {
      bar.update(total);
      bar.stop();
    },
  };
};

export const silentProgress: ProgressFactory = () => ({ tick: () => undefined, done: () => undefined });
