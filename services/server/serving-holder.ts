import type { ServingState } from '../recommend/recommend-service.js';

export interface ServingLease {
  readonly state: ServingState;
  release(): void;
}

interface Slot {
  readonly state: ServingState;
  inFlight: number;
  retired: boolean;
  readonly onDrained: () => void;
}

/**
 * Holds the serving state (bundle + pipeline) and swaps it atomically. Every call leases the
 * state it started with and keeps it to the end; a replaced state is released (its stores
 * closed) only after its last in-flight call returns.
 */
export class ServingHolder {
  private current: Slot;

  constructor(initial: ServingState, private readonly release: (state: ServingState) => void) {
    this.current = this.slot(initial);
  }

  private slot(state: ServingState): Slot {
    return { state, inFlight: 0, retired: false, onDrained: () => { this.release(state); } };
  }

  get state(): ServingState {
    return this.current.state;
  }

  acquire(): ServingLease {
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
  swap(next: ServingState): void {
    const previous = this.current;
    this.current = this.slot(next);
    previous.retired = true;
    if (previous.inFlight === 0) previous.onDrained();
  }
}
