import { resolveDataset } from '../../../offline/resolve-dataset.js';
import { makeSplit } from '../../../offline/make-split.js';
import { splitCounts } from '../../../offline/data/index.js';
import { enumFlag, parseFlags, stringFlag } from '../args.js';
import { COMMON_FLAGS, DATA_FLAGS, type Command } from '../command.js';
import { DATA_OPTIONS, FORMATS, columnsFromArgs, configFromArgs } from '../context.js';

export const dataCommand: Command = {
  name: 'data',
  summary: 'load and validate a dataset; report bad rows and split sizes',
  usage: `recsys data [--data <path>] [--format <f>] [--protocol random-811|temporal] [--json]

Loads the dataset exactly as training would, counts rejected rows by reason, and prints
users, items, interactions and the sizes of the evaluation split.

${DATA_FLAGS}
  --protocol <p>      split to report (default: config split.protocol)
  --json              print the report as JSON
${COMMON_FLAGS}`,
  async run(argv, io) {
    const args = parseFlags(argv, { ...DATA_OPTIONS, protocol: { type: 'string' }, json: { type: 'boolean' } });
    if (args.values.help) return io.out(this.usage), 0;
    const config = configFromArgs(args);
    const protocol = enumFlag(args, 'protocol', ['random-811', 'temporal'] as const) ?? config.split.protocol;
    const { dataset, report } = await resolveDataset(config, { path: stringFlag(args, 'data'), format: enumFlag(args, 'format', FORMATS), columns: columnsFromArgs(args), log: io.err });
    const split = await makeSplit(dataset, protocol, config.split.seed);
    const summary = {
      report,
      users: dataset.userIds.length,
      items: dataset.itemIds.length,
      interactions: dataset.interactions.length,
      split: { protocol, ...splitCounts(split) },
    };
    if (args.values.json) {
      io.out(JSON.stringify(summary, null, 2));
    } else {
      const counts = summary.split;
      io.out(
        [
          `dataset      ${dataset.name}`,
          `users        ${summary.users}`,
          `items        ${summary.items} (${report.itemsWithMeta} with metadata)`,
          `interactions ${summary.interactions}`,
          `rows read    ${report.rows}, rejected ${report.rows - report.accepted}: ${JSON.stringify(report.rejected)}`,
          ...report.examples.map((example) => `  line ${example.line}: ${example.reason}: ${example.text}`),
          `split        ${protocol}: train ${counts.train} / valid ${counts.valid} / test ${counts.test}`,
        ].join('\n'),
      );
    }
    return 0;
  },
};
