import { topCandidates, type CandidateList } from '../../../lib/domain/candidate.js';
import { ARTIFACT, encodePopular } from '../../../lib/stores/bundle/artifacts.js';
import type { Job, JobContext, JobOutput } from '../job.js';

/** Most-interacted items overall and per genre (counts over the training interactions). */
export const popularJob: Job = {
  name: 'popular',
  run({ data, config }: JobContext): Promise<JobOutput> {
    const { limit, perGenre } = config.jobs.popular;
    const counts = new Float32Array(data.items);
    for (let i = 0; i < data.items; i++) counts[i] = data.itemOffsets[i + 1]! - data.itemOffsets[i]!;
    const rated: number[] = [];
    for (let i = 0; i < data.items; i++) if (counts[i]! > 0) rated.push(i);
    const overall = topCandidates(Int32Array.from(rated), Float32Array.from(rated, (item) => counts[item]!), rated.length, limit);

    const genreMembers = new Map<string, number[]>();
    data.dataset.itemMeta.forEach((meta, item) => {
      if (counts[item] === 0) return;
      for (const genre of meta?.genres ?? []) {
        let members = genreMembers.get(genre);
        if (!members) genreMembers.set(genre, (members = []));
        members.push(item);
      }
    });
    const byGenre = new Map<string, CandidateList>();
    for (const [genre, members] of [...genreMembers].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const items = Int32Array.from(members);
      const scores = Float32Array.from(members, (item) => counts[item]!);
      byGenre.set(genre, topCandidates(items, scores, items.length, perGenre));
    }
    return Promise.resolve({
      artifacts: [{ name: ARTIFACT.popular, bytes: encodePopular({ overall, byGenre }) }],
      details: { overall: overall.items.length, genres: byGenre.size },
    });
  },
};
