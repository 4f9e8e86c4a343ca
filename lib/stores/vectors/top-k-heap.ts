import type { CandidateList } from '../../domain/candidate.js';

/**
 * The best `capacity` (item, score) pairs seen so far, in two typed arrays kept as a min-heap
 * whose root is the worst kept pair (lowest score; among equal scores the highest item index).
 * No per-item objects: pushing is a few array writes.
 */
export class TopKHeap {
  private readonly items: Int32Array;
  private readonly scores: Float32Array;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Int32Array(capacity);
    this.scores = new Float32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Score of the worst kept pair (-Infinity while not full, so every pair qualifies). */
  get threshold(): number {
    return this.count < this.capacity ? Number.NEGATIVE_INFINITY : this.scores[0]!;
  }

  /** Would (item, score) be kept? Callers test this before paying for a `blocked` check. */
  accepts(item: number, score: number): boolean {
    if (this.count < this.capacity) return this.capacity > 0;
    const worst = this.scores[0]!;
    return score > worst || (score === worst && item < this.items[0]!);
  }

  /** Keeps (item, score) if it beats the worst kept pair. `score` must already be a float32 value. */
  push(item: number, score: number): void {
    if (this.count < this.capacity) {
      let at = this.count++;
      // Sift up: the new pair moves above every parent it is worse than.
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!this.worse(item, score, this.items[parent]!, this.scores[parent]!)) break;
        this.items[at] = this.items[parent]!;
        this.scores[at] = this.scores[parent]!;
        at = parent;
      }
      this.items[at] = item;
      this.scores[at] = score;
      return;
    }
    if (!this.accepts(item, score)) return;
    this.siftDown(item, score);
  }

  /** The kept pairs best first (ties by ascending item); empties the heap. */
  drain(): CandidateList {
    const n = this.count;
    const items = new Int32Array(n);
    const scores = new Float32Array(n);
    for (let out = n - 1; out >= 0; out--) {
      items[out] = this.items[0]!;
      scores[out] = this.scores[0]!;
      const lastAt = --this.count;
      if (lastAt > 0) this.siftDown(this.items[lastAt]!, this.scores[lastAt]!);
    }
    return { items, scores };
  }

  /** Is (a, sa) worse than (b, sb)? */
  private worse(a: number, sa: number, b: number, sb: number): boolean {
    return sa < sb || (sa === sb && a > b);
  }

  /** Places (item, score) at the root and sifts it down to its place among `count` entries. */
  private siftDown(item: number, score: number): void {
    const n = this.count;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && this.worse(this.items[right]!, this.scores[right]!, this.items[child]!, this.scores[child]!)) child = right;
      if (!this.worse(this.items[child]!, this.scores[child]!, item, score)) break;
      this.items[at] = this.items[child]!;
      this.scores[at] = this.scores[child]!;
      at = child;
    }
    this.items[at] = item;
    this.scores[at] = score;
  }
}
