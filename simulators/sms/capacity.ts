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
  /**
   * Worker-milliseconds spent on requests since the start or the last reset (the integral of busy workers
   * over time). Between two readings, divided by workers × elapsed, it is how much of the provider's
   * capacity its clients kept in use: a measure that holds when the machine is slow, where a rate would not.
   */
  busyWorkerMs(): number;
  reset(): void;
}

export function createCapacityGate(now: () => number = Date.now): CapacityGate {
  let busy = 0;
  const waiting: (() => void)[] = [];
  let workers = Number.POSITIVE_INFINITY;
  let busyMs = 0;
  let changedAt = now();
  /** Adds the time since the last change at the old number of busy workers; called before each change. */
  const account = () => {
    const at = now();
    busyMs += busy * (at - changedAt);
    changedAt = at;
  };
  return {
    enter(capacity) {
      workers = capacity.workers;
      if (busy < workers && waiting.length === 0) {
        account();
        busy += 1;
        return Promise.resolve(true);
      }
      if (waiting.length >= capacity.queue) return Promise.resolve(false);
      return new Promise((resolve) => waiting.push(() => resolve(true)));
    },
    leave() {
      account();
      busy -= 1;
      while (busy < workers && waiting.length > 0) {
        busy += 1;
        waiting.shift()!();
      }
    },
    load: () => ({ busy, waiting: waiting.length }),
    busyWorkerMs() {
      account();
      return busyMs;
    },
    reset() {
      account();
      busyMs = 0;
    },
  };
}
