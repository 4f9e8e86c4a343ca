/** A per-call `blocked` predicate backed by a pooled mask; `release` once recall has answered. */
export interface BlockedItemMask {
  readonly blocked: (item: number) => boolean;
  readonly release: () => void;
}

/** Masks kept for reuse; more calls in flight than this allocate (and drop) their own. */
const POOL_LIMIT = 64;

/**
 * Pool of Uint8Array item masks over the catalogue, one per Recommend call in flight (calls
 * overlap across the recall await, so one shared mask cannot serve them all). A call marks its
 * seen and excluded items, recall sources test `mask[item]` (one typed-array read) instead of
 * two Set lookups, and `release` clears only the marked entries, so a call costs
 * O(seen + excluded), never O(catalogue).
 *
 * Measured on ml-1m-half at 500 candidates: the two-Set closure it replaces ran once per
 * distinct item per i2i source (thousands per call) and took about 8 % of the pipeline's CPU.
 * A source still running after its deadline may read a mask already released (and reused by
 * another call): it only reads, and the pipeline has discarded that source's result by then.
 * `seen` and `excluded` must not change between acquire and release (the pipeline builds both
 * per call).
 */
export class BlockedItemMasks {
  private readonly free: Uint8Array[] = [];

  /** Items outside [0, catalogueSize) are answered from the sets themselves. */
  acquire(catalogueSize: number, seen: ReadonlySet<number>, excluded: ReadonlySet<number>): BlockedItemMask {
    let mask = this.free.pop();
    while (mask !== undefined && mask.length !== catalogueSize) mask = this.free.pop();
    const marks = mask ?? new Uint8Array(catalogueSize);
    const mark = (item: number): void => {
      if (item >>> 0 < catalogueSize) marks[item] = 1;
    };
    seen.forEach(mark);
    excluded.forEach(mark);
    let released = false;
    return {
      blocked: (item) => (item >>> 0 < catalogueSize ? marks[item] === 1 : seen.has(item) || excluded.has(item)),
      release: () => {
        if (released) return;
        released = true;
        const unmark = (item: number): void => {
          if (item >>> 0 < catalogueSize) marks[item] = 0;
        };
        seen.forEach(unmark);
        excluded.forEach(unmark);
        if (this.free.length < POOL_LIMIT) this.free.push(marks);
      },
    };
  }
}
