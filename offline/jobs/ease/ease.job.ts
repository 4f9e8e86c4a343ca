/**
 * The EASE job: writes the tables `ease` (row j: the items whose presence predicts j, with
 * weight B[h][j]) and `ease-target` (its transpose: row h lists the items j that h predicts),
 * so the i2i source summing `ease-target` rows over a user's recent items computes the EASE
 * score restricted to each target's top weights. Rows are not normalised: EASE weights are
 * already on one scale. See ease.kernel.ts for the model and its cost.
 */
import type { Job, JobContext, JobOutput } from '../job.js';
import { runI2iJob } from '../i2i-job.js';
import { easeNeighbours } from './ease.kernel.js';

export const easeJob: Job = {
  name: 'ease',
  async run(context: JobContext): Promise<JobOutput> {
    const options = context.config.jobs.ease;
    if (!options.enabled) return { artifacts: [], details: { skipped: 'jobs.ease.enabled is false' } };
    const timing: Record<string, number> = {};
    const output = await runI2iJob(context, {
      name: 'ease',
      threads: options.threads,
      normalise: false,
      meta: { lambda: options.lambda, neighbours: options.neighbours, maxItems: options.maxItems },
      compute: async (threads, tick) => {
        const model = await easeNeighbours(context.data, { lambda: options.lambda, neighbours: options.neighbours, maxItems: options.maxItems, threads }, tick);
        Object.assign(timing, { modelItems: model.items, gramSeconds: model.gramSeconds, inverseSeconds: model.inverseSeconds });
        return model.table;
      },
    });
    return { ...output, details: { ...output.details, ...timing } };
  },
};
