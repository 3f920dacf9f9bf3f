/**
 * The SMS simulator's bounded capacity (faults `capacity`): a provider that works on at most `workers`
 * requests at once, each for `serviceMs`, holds up to `queue` more waiting in arrival order (its backlog),
 * and answers 503 at once beyond that. A request that waited is worked on even if its client gave up
 * meanwhile, as a real server's worker reads what is in its backlog: a client that timed out on a queued
 * request may still get its message accepted (the ambiguous case).
 *
 * Node accepts connections eagerly, so the backlog is this queue, not the kernel's listen backlog; what
 * is beyond it is answered 503 (not accepted) rather than left unconnected.
 */
export interface Capacity {
  workers: number;
  queue: number;
  serviceMs: number;
}

export interface CapacityGate {
  /** A worker now or after waiting; false when the queue is full (answer 503). Call leave() after a true. */
  enter(capacity: Capacity): Promise<boolean>;
  leave(): void;
  /** Requests being worked on and waiting now. */
  load(): { busy: number; waiting: number };
}

export function createCapacityGate(): CapacityGate {
  let busy = 0;
  const waiting: (() => void)[] = [];
  let workers = Number.POSITIVE_INFINITY;
  return {
    enter(capacity) {
      workers = capacity.workers;
      if (busy < workers && waiting.length === 0) {
        busy += 1;
        return Promise.resolve(true);
      }
      if (waiting.length >= capacity.queue) return Promise.resolve(false);
      return new Promise((resolve) => waiting.push(() => resolve(true)));
    },
    leave() {
      busy -= 1;
      while (busy < workers && waiting.length > 0) {
        busy += 1;
        waiting.shift()!();
      }
    },
    load: () => ({ busy, waiting: waiting.length }),
  };
}
