import { train } from '../../../offline/run.js';
import { JOB_NAMES } from '../../../offline/jobs/registry.js';
import { formatReport } from '../../../offline/eval/evaluate.js';
import { terminalProgress } from '../../../offline/progress.js';
import { UsageError, enumFlag, parseFlags, stringFlag } from '../args.js';
import { COMMON_FLAGS, DATA_FLAGS, type Command } from '../command.js';
import { DATA_OPTIONS, FORMATS, columnsFromArgs, configFromArgs } from '../context.js';

export const trainCommand: Command = {
  name: 'train',
  summary: 'run the offline DAG (or named jobs) and publish a new bundle',
  usage: `recsys train [--data <path>] [--job <name>]... [--skip-evaluate]

Runs ${JOB_NAMES.join(' → ')} on all interactions and publishes one new bundle version
atomically (the CURRENT pointer flips only after every artifact is written and verified).
Unless --skip-evaluate, first evaluates the same jobs on a train-only split and records the
metrics in the bundle manifest.

${DATA_FLAGS}
  --job <name>        run only this job (repeatable; one of ${JOB_NAMES.join(', ')}); the other
                      artifacts are copied from the current bundle, which must come from the same data
  --skip-evaluate     publish without the offline evaluation
  --protocol <p>      evaluation split: random-811 | temporal (default: config split.protocol)
${COMMON_FLAGS}`,
  async run(argv, io) {
    const args = parseFlags(argv, {
      ...DATA_OPTIONS,
      job: { type: 'string', multiple: true },
      'skip-evaluate': { type: 'boolean' },
      protocol: { type: 'string' },
    }, true);
    if (args.values.help) return io.out(this.usage), 0;
    const jobs = [...((args.values.job as string[] | undefined) ?? []), ...args.positionals];
    for (const job of jobs) if (!JOB_NAMES.includes(job)) throw new UsageError(`--job: unknown job "${job}" (known: ${JOB_NAMES.join(', ')})`);
    const config = configFromArgs(args);
    const result = await train({
      config,
      dataPath: stringFlag(args, 'data'),
      format: enumFlag(args, 'format', FORMATS),
      columns: columnsFromArgs(args),
      jobs: jobs.length > 0 ? jobs : undefined,
      evaluate: args.values['skip-evaluate'] !== true && jobs.length === 0,
      protocol: enumFlag(args, 'protocol', ['random-811', 'temporal'] as const),
      progress: terminalProgress,
      log: io.err,
    });
    if (result.evaluation) io.out(formatReport(result.evaluation));
    io.out(`bundle ${result.manifest.version} is current (${config.bundle.root})`);
    return 0;
  },
};
