import { errorMessage, isRecsysError } from '../../lib/domain/errors.js';
import { UsageError } from './args.js';
import type { Command, CommandIo } from './command.js';
import { dataCommand } from './commands/data.command.js';
import { trainCommand } from './commands/train.command.js';
import { evaluateCommand } from './commands/evaluate.command.js';
import { serveCommand } from './commands/serve.command.js';
import { demoCommand } from './commands/demo.command.js';

const COMMANDS: readonly Command[] = [dataCommand, trainCommand, evaluateCommand, serveCommand, demoCommand];

function usage(): string {
  return `recsys: two-stage recommendation platform

usage: recsys <command> [flags]   (recsys <command> --help for its flags)

${COMMANDS.map((command) => `  ${command.name.padEnd(10)} ${command.summary}`).join('\n')}
`;
}

const io: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Runs one command; returns the exit code. Errors end as one line on stderr. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.err(`recsys: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`recsys ${name}: ${error.message} (see recsys ${name} --help)`);
      return 2;
    }
    if (isRecsysError(error)) {
      io.err(`recsys ${name}: ${error.message} [${error.code}]`);
      return 1;
    }
    io.err(`recsys ${name}: unexpected error: ${errorMessage(error)}`);
    if (process.env.RECSYS_DEBUG) console.error(error);
    return 1;
  }
}
