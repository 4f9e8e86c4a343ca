import type { CandidateFilter } from './filter.js';

/** Drops the ids the request asked to exclude. */
export class ExcludedItemsFilter implements CandidateFilter {
  readonly id = 'excluded-items';
  constructor(private readonly excluded: ReadonlySet<number>) {}
  keeps(item: number): boolean {
    return !this.excluded.has(item);
  }
}
