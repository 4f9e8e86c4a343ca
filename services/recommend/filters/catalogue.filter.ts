import type { CandidateFilter } from './filter.js';

/** Drops indices outside the current catalogue (a source built on another bundle). */
export class CatalogueFilter implements CandidateFilter {
  readonly id = 'catalogue';
  constructor(private readonly size: number) {}
  keeps(item: number): boolean {
    return item >= 0 && item < this.size;
  }
}
