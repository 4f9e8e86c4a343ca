export interface CommandIo {
  /** Results (tables, JSON): stdout. */
  readonly out: (text: string) => void;
  /** Progress and log lines: stderr. */
  readonly err: (text: string) => void;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

export const COMMON_FLAGS = `  --config <file>     YAML config (default: RECSYS_CONFIG or configs/recsys.yaml)
  -h, --help          show this help`;

export const DATA_FLAGS = `  --data <path>       ratings file or dataset folder (ml-1m, ml-latest-small, ml-100k layouts
                      detected; metadata beside a ratings file is picked up); default: the
                      config's data.path, or the seeded synthetic dataset when that is empty
  --format <f>        auto | ml-1m | ml-latest-small | ml-100k | csv (default auto)
  --columns <map>     generic CSV columns, e.g. user=userId,item=movieId,rating=rating,timestamp=ts`;
