import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../../lib/config/load-config.js';

export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  /** The last stderr lines (for error messages). */
  readonly stderrTail: () => string;
  /** SIGTERM, drain, exit; resolves with the exit code. */
  readonly stop: () => Promise<number | null>;
}

/** Memory figures of a live process from /proc/<pid>/status, in MiB (null where unreadable: not Linux). */
export async function processMemoryMb(pid: number): Promise<{ rssMb: number; hwmMb: number } | null> {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/**
 * CPU seconds (user + system) a live process has used, from /proc/<pid>/stat (clock ticks
 * of 1/100 s, the Linux USER_HZ); null where unreadable.
 */
export async function processCpuSeconds(pid: number): Promise<number | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the line.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * The port in the serve command's start line: "recsys serving bundle <v> [(role <r>)] on
 * <host>:<port>[, metrics on :<port>]" (the role and metrics parts came with the serving roles;
 * without them in the pattern the bench waited forever for a line it never recognised).
 */
export function portFromStartLine(line: string): number | null {
  const match = /^recsys serving bundle \S+(?: \(role [^)]*\))? on \S+:(\d+)(?:, metrics on :\d+)?$/.exec(line.trim());
  return match ? Number(match[1]) : null;
}

/**
 * Starts `recsys serve` (the all-in-one server) as a child process on an ephemeral port and
 * resolves once it serves. `nodeArgs` go to node itself (e.g. --cpu-prof).
 */
export function startServerProcess(configPath: string, nodeArgs: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<ServerProcess> {
  const cli = join(packageRoot(), 'bin', 'recsys.js');
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, cli, 'serve', '--config', configPath, '--port', '0', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...env, RECSYS_LOG_LEVEL: env.RECSYS_LOG_LEVEL ?? 'warn' },
  });
  const tail: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stderr! });
    let started = false;
    lines.on('line', (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      const port = started ? null : portFromStartLine(line);
      if (port === null) return;
      started = true;
      resolve({
        pid: child.pid!,
        port,
        stderrTail: () => tail.join('\n'),
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      if (!started) reject(new Error(`server exited (${code}) before serving:\n${tail.join('\n')}`));
    });
  });
}
