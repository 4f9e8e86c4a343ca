import type { ServingState } from '../recommend/recommend-service.js';

export interface ServingLease<S = ServingState> {
  readonly state: S;
  release(): void;
}

interface Slot<S> {
  readonly state: S;
  inFlight: number;
  retired: boolean;
  readonly onDrained: () => void;
}

/**
 * Holds the serving state (bundle + pipeline) and swaps it atomically. Every call leases the
 * state it started with and keeps it to the end; a replaced state is released (its stores
 * closed) only after its last in-flight call returns.
 */
export class ServingHolder<S = ServingState> {
  private current: Slot<S>;

  constructor(initial: S, private readonly release: (state: S) => void) {
    this.current = this.slot(initial);
  }

  private slot(state: S): Slot<S> {
    return { state, inFlight: 0, retired: false, onDrained: () => { this.release(state); } };
  }

  get state(): S {
    return this.current.state;
  }

  acquire(): ServingLease<S> {
    const slot = this.current;
    slot.inFlight++;
    let released = false;
    return {
      state: slot.state,
      release: () => {
        if (released) return;
        released = true;
        slot.inFlight--;
        if (slot.retired && slot.inFlight === 0) slot.onDrained();
      },
    };
  }

  /** Makes `next` current; the previous state is released once its calls have finished. */
  swap(next: S): void {
    const previous = this.current;
    this.current = this.slot(next);
    previous.retired = true;
    if (previous.inFlight === 0) previous.onDrained();
  }
}
