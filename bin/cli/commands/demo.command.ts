import type { ScoredItem__Output } from '../../../lib/generated/recsys/v1/ScoredItem.js';
import { createLogger } from '../../../lib/logger.js';
import { train } from '../../../offline/run.js';
import { formatReport } from '../../../offline/eval/evaluate.js';
import { terminalProgress } from '../../../offline/progress.js';
import { serveCurrentBundle } from '../../../services/server/serve.js';
import { RecommendClient } from '../../../services/server/recommend-client.js';
import { enumFlag, parseFlags, stringFlag } from '../args.js';
import { COMMON_FLAGS, DATA_FLAGS, type Command } from '../command.js';
import { DATA_OPTIONS, FORMATS, columnsFromArgs, configFromArgs } from '../context.js';

/** Four decimals, or three significant digits where that would print 0.0000 (a cold user's ranker probabilities). */
export function formatScore(score: number): string {
  return score !== 0 && Math.abs(score) < 0.00005 ? score.toExponential(2) : score.toFixed(4);
}

function formatItems(items: readonly ScoredItem__Output[]): string {
  return items
    .map((item, rank) => {
      const sources = Object.entries(item.source_scores).map(([source, score]) => `${source}=${score.toFixed(3)}`).join(' ');
      const title = item.info ? `${item.info.title}${item.info.genres.length > 0 ? ` [${item.info.genres.join('|')}]` : ''}` : '';
      return `  ${String(rank + 1).padStart(2)}. ${item.item_id.padEnd(7)} ${formatScore(item.score).padEnd(7)} ${title}${sources ? `  (${sources})` : ''}`;
    })
    .join('\n');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'train, evaluate, publish, serve and query the whole platform once',
  usage: `recsys demo [--data <path>]

With no data, generates the seeded synthetic MovieLens-like dataset; runs load → validate →
split → popular → item-cf → evaluate → publish; starts the gRPC server on an ephemeral
loopback port; makes Recommend, SimilarItems and Feedback calls through a real client;
prints the results and the evaluation table; stops the server and exits 0.

${DATA_FLAGS}
${COMMON_FLAGS}`,
  async run(argv, io) {
    const args = parseFlags(argv, { ...DATA_OPTIONS });
    if (args.values.help) return io.out(this.usage), 0;
    const config = configFromArgs(args, (draft) => {
      draft.serving.host = '127.0.0.1';
      draft.serving.port = 0;
      // The demo's Feedback call must not leak into later runs or into `npm start`.
      draft.stores.feedbackLog = '';
      draft.serving.metrics.enabled = false;
    });
    const result = await train({
      config,
      dataPath: stringFlag(args, 'data'),
      format: enumFlag(args, 'format', FORMATS),
      columns: columnsFromArgs(args),
      evaluate: true,
      progress: terminalProgress,
      log: io.err,
    });
    const server = await serveCurrentBundle(config, createLogger('recsys-demo', process.env.RECSYS_LOG_LEVEL ?? 'warn'));
    const client = new RecommendClient(`127.0.0.1:${server.port}`);
    try {
      const { bundle } = server.state();
      const users = [...bundle.userIndex.keys()];
      const byActivity = [...users].sort((a, b) => (bundle.userHistory(b)?.length ?? 0) - (bundle.userHistory(a)?.length ?? 0));
      const showcase = [users[0]!, byActivity[Math.floor(byActivity.length / 2)]!, 'new-user-without-history'];
      io.out(`\nServing bundle ${bundle.version} on 127.0.0.1:${server.port}\n`);
      for (const userId of showcase) {
        const response = await client.recommend({ user_id: userId, count: 10, with_info: true });
        const history = bundle.userHistory(userId);
        const recent = history ? Array.from(history.subarray(0, 3), (item) => bundle.catalogue.titles[item]).join('; ') : 'none (cold start: popular items)';
        io.out(`Recommend user ${userId} (${history?.length ?? 0} interactions; recent: ${recent})\n${formatItems(response.items)}\n`);
      }
      const topItem = bundle.popular.overall.items[0];
      if (topItem !== undefined) {
        const itemId = bundle.catalogue.itemIds[topItem]!;
        const similar = await client.similarItems({ item_id: itemId, count: 5, with_info: true });
        io.out(`SimilarItems ${itemId} "${bundle.catalogue.titles[topItem] ?? ''}"\n${formatItems(similar.items)}\n`);
        const user = showcase[2]!;
        const feedback = await client.feedback({ user_id: user, item_id: itemId, event: 'click' });
        const after = await client.recommend({ user_id: user, count: 5, with_info: true });
        io.out(`Feedback: ${user} clicked ${itemId} (history now ${feedback.history_length}); Recommend again:\n${formatItems(after.items)}\n`);
      }
      if (result.evaluation) io.out(formatReport(result.evaluation));
    } finally {
      client.close();
      await server.stop(config.serving.drainSeconds);
    }
    return 0;
  },
};
