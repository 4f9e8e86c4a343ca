import type { CandidateFilter } from './filter.js';

/** Drops items the user already interacted with (bundle history and feedback). */
export class SeenItemsFilter implements CandidateFilter {
  readonly id = 'seen-items';
  constructor(private readonly seen: ReadonlySet<number>) {}
  keeps(item: number): boolean {
    return !this.seen.has(item);
  }
}
