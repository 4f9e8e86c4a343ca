import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../bin/recsys.js', import.meta.url));

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Prometheus side port, null when metrics are off. */
  readonly metricsPort: number | null;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `recsys serve <args>` on an ephemeral port and resolves once it reports its port. */
export function startServeProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, RECSYS_LOG_LEVEL: 'warn', RECSYS_METRICS_PORT: '0', ...env },
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise<ServeProcess>((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = / on 127\.0\.0\.1:(\d+)(, metrics on :(\d+))?\n/.exec(stderr);
      if (match) {
        resolve({
          child,
          port: Number(match[1]),
          metricsPort: match[3] === undefined ? null : Number(match[3]),
          exited,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.on('close', () => {
      reject(new Error(`recsys serve ${args.join(' ')} exited early: ${stderr}`));
    });
  });
}
