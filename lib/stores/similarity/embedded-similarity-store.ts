import type { CandidateList } from '../../domain/candidate.js';
import { EMPTY_CANDIDATES } from '../../domain/candidate.js';
import type { SimilarityTable } from './similarity-table.js';
import type { SimilarityStore } from './similarity-store.js';

/** Tables held in memory, loaded from the bundle's `<table>.i2i` artifacts. */
export class EmbeddedSimilarityStore implements SimilarityStore {
  readonly backend = 'embedded';

  constructor(private readonly byName: ReadonlyMap<string, SimilarityTable>) {}

  tables(): readonly string[] {
    return [...this.byName.keys()];
  }

  neighbours(table: string, items: ArrayLike<number>): Promise<CandidateList[]> {
    const found = this.byName.get(table);
    const out: CandidateList[] = new Array<CandidateList>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = found ? found.row(items[i]!) : EMPTY_CANDIDATES;
    return Promise.resolve(out);
  }

  readonly localTable = (table: string): SimilarityTable | undefined => this.byName.get(table);

  close(): Promise<void> {
    return Promise.resolve();
  }
}
