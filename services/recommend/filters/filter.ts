/** A filter keeps or drops candidates and says which it dropped, so drops can be debugged. */
export interface CandidateFilter {
  readonly id: string;
  /** Returns true to keep the item. */
  keeps(item: number): boolean;
}

export interface FilterResult {
  /** Positions (into the input) kept, in order. */
  readonly kept: Int32Array;
  /** Item indices removed, with the filter that removed each. */
  readonly removed: readonly { item: number; filter: string }[];
}

export function applyFilters(items: Int32Array, filters: readonly CandidateFilter[]): FilterResult {
  const kept = new Int32Array(items.length);
  const removed: { item: number; filter: string }[] = [];
  let n = 0;
  outer: for (let p = 0; p < items.length; p++) {
    const item = items[p]!;
    for (const filter of filters) {
      if (!filter.keeps(item)) {
        removed.push({ item, filter: filter.id });
        continue outer;
      }
    }
    kept[n++] = p;
  }
  return { kept: kept.subarray(0, n), removed };
}
