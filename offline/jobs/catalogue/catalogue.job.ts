import { ARTIFACT, encodeHistories, type CatalogueDocument } from '../../../lib/stores/bundle/artifacts.js';
import type { Job, JobContext, JobOutput } from '../job.js';

/** Item catalogue with metadata, user ids and per-user histories (most recent first). */
export const catalogueJob: Job = {
  name: 'catalogue',
  run({ data }: JobContext): Promise<JobOutput> {
    const { dataset } = data;
    const catalogue: CatalogueDocument = {
      itemIds: [...dataset.itemIds],
      titles: dataset.itemMeta.map((meta, index) => meta?.title ?? `item ${dataset.itemIds[index] ?? index}`),
      years: dataset.itemMeta.map((meta) => meta?.year ?? null),
      genres: dataset.itemMeta.map((meta) => [...(meta?.genres ?? [])]),
    };
    return Promise.resolve({
      artifacts: [
        { name: ARTIFACT.catalogue, bytes: JSON.stringify(catalogue) },
        { name: ARTIFACT.users, bytes: JSON.stringify({ userIds: dataset.userIds }) },
        { name: ARTIFACT.histories, bytes: encodeHistories({ offsets: data.userOffsets, items: data.userItems, timestamps: data.userTimes, ratings: data.userRatings }) },
      ],
      details: { items: data.items, users: data.users, interactions: data.interactions },
    });
  },
};
