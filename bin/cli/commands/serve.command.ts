import { createLogger } from '../../../lib/logger.js';
import { drainOnSignal, serveCurrentBundle } from '../../../services/server/serve.js';
import { enumFlag, intFlag, parseFlags, stringFlag } from '../args.js';
import { COMMON_FLAGS, type Command } from '../command.js';
import { configFromArgs } from '../context.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the current bundle over gRPC until SIGTERM',
  usage: `recsys serve [--role all|recommend|recall|rank] [--port <n>] [--host <addr>] [--bundle-root <dir>]

Serves one role (serving.role) plus grpc.health.v1 and server reflection:
  all        recsys.v1.RecommendService (Recommend, SimilarItems, Feedback), recall and rank in process
  recommend  RecommendService; calls serving.backends.recall / .rank over gRPC (round-robin)
  recall     recsys.v1.RecallService over the current bundle
  rank       recsys.v1.RankService with the bundle's ranker
On SIGTERM/SIGINT stops accepting calls, drains in-flight ones (serving.drainSeconds) and exits 0.

  --role <role>       serving role (default: RECSYS_ROLE or serving.role, all)

  --port <n>          port (default: RECSYS_PORT or serving.port, 50051); 0 picks a free one
  --host <addr>       bind address (default 0.0.0.0)
  --bundle-root <dir> bundle store (default: RECSYS_BUNDLE_ROOT or bundle.root)
${COMMON_FLAGS}`,
  async run(argv, io) {
    const args = parseFlags(argv, { config: { type: 'string' }, role: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'bundle-root': { type: 'string' } });
    if (args.values.help) return io.out(this.usage), 0;
    const role = enumFlag(args, 'role', ['all', 'recommend', 'recall', 'rank'] as const);
    const port = intFlag(args, 'port', 0, 65_535);
    const host = stringFlag(args, 'host');
    const root = stringFlag(args, 'bundle-root');
    const config = configFromArgs(args, (draft) => {
      if (role !== undefined) draft.serving.role = role;
      if (port !== undefined) draft.serving.port = port;
      if (host !== undefined) draft.serving.host = host;
      if (root !== undefined) draft.bundle.root = root;
    });
    const log = createLogger('recsys-serve');
    const server = await serveCurrentBundle(config, log);
    io.err(`recsys serving bundle ${server.state().bundle.version} (role ${server.role}) on ${config.serving.host}:${server.port}${server.metricsPort === null ? '' : `, metrics on :${server.metricsPort}`}`);
    await drainOnSignal(server, config.serving.drainSeconds, log);
    return 0;
  },
};
