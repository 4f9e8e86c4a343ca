import { writeFile } from 'node:fs/promises';
import { resolveDataset } from '../../../offline/resolve-dataset.js';
import { makeSplit } from '../../../offline/make-split.js';
import { evaluate, formatReport } from '../../../offline/eval/evaluate.js';
import { terminalProgress } from '../../../offline/progress.js';
import { enumFlag, parseFlags, stringFlag } from '../args.js';
import { COMMON_FLAGS, DATA_FLAGS, type Command } from '../command.js';
import { DATA_OPTIONS, FORMATS, columnsFromArgs, configFromArgs } from '../context.js';

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'offline evaluation of the serving pipeline on a held-out split',
  usage: `recsys evaluate [--data <path>] [--protocol random-811|temporal] [--split-file <tsv>] [--out <json>]

Builds a bundle from the split's train part only, runs the same pipeline the server runs for
every user with test items, and prints Recall/NDCG/Hit@10,20,50 and coverage@10 for each
recall source alone, the merged candidates and the final list.

${DATA_FLAGS}
  --protocol <p>      random-811 | temporal (default: config split.protocol)
  --split-file <tsv>  lines user<TAB>item<TAB>train|valid|test (raw ids): evaluate on a split
                      made elsewhere
  --out <file>        also write the report as JSON
${COMMON_FLAGS}`,
  async run(argv, io) {
    const args = parseFlags(argv, { ...DATA_OPTIONS, protocol: { type: 'string' }, 'split-file': { type: 'string' }, out: { type: 'string' } });
    if (args.values.help) return io.out(this.usage), 0;
    const config = configFromArgs(args);
    const protocol = enumFlag(args, 'protocol', ['random-811', 'temporal'] as const) ?? config.split.protocol;
    const { dataset } = await resolveDataset(config, { path: stringFlag(args, 'data'), format: enumFlag(args, 'format', FORMATS), columns: columnsFromArgs(args), log: io.err });
    const splitFile = stringFlag(args, 'split-file');
    const split = await makeSplit(dataset, protocol, config.split.seed, splitFile);
    const report = await evaluate({ dataset, split, config, progress: terminalProgress, log: io.err });
    io.out(formatReport(report));
    const out = stringFlag(args, 'out');
    if (out !== undefined) {
      await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
      io.err(`wrote ${out}`);
    }
    return 0;
  },
};
