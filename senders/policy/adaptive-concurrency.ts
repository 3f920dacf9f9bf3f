/**
 * How many requests a provider gets at once, found while sending instead of fixed: a Vegas-style limit (as
 * Netflix's concurrency-limits has it). A request's round trip at no load is the least one seen; a longer
 * one means requests wait in the provider's queue, about `limit × (1 − noLoadRtt / rtt)` of them. While
 * that queue stays short the limit grows, when it lengthens the limit shrinks, and a timeout or an
 * overload answer (429, 503) cuts it by a tenth.
 *
 * Why: a provider that takes fewer requests at once than we send queues the rest (or drops them at its
 * listen backlog); the queued ones time out after they were sent, and such a request may have reached the
 * provider (an ambiguous outcome: re-sending it can be a second SMS). Keeping the provider's queue a few
 * requests long keeps it busy without any request waiting long enough to time out.
 */

export interface ConcurrencyLimitOptions {
  /** The most requests in flight (the pool's connections). */
  max: number;
  /** The fewest; the limit never goes under it (default 1). */
  min?: number;
  /** Where it starts (default min(max, 4)). */
  initial?: number;
}

export interface LimitSample {
  /** From taking the slot to the answer (or the failure). */
  rttMs: number;
  /** A timeout, a connection lost after sending, or an overload answer: the provider took too much. */
  dropped: boolean;
  /** Requests in flight when this one was sent. */
  inFlight: number;
  /** When it came back (ms, any monotonic clock). */
  at: number;
}

/**
 * After this many samples per unit of limit, the no-load round trip is measured afresh: the limit is halved
 * for as many answers as it then allows, and the least of their round trips is the new no-load one. Halving
 * drains the provider's queue, so a provider that became slower for good is told from one that queues (a
 * plain reset to the latest round trip would take the queue's wait for the provider's own, and ratchet up).
 */
const PROBE_SAMPLES_PER_LIMIT = 100;
const DROP_FACTOR = 0.9;
/**
 * The provider's queue the limit aims at, in requests: under QUEUE_LOW it grows, over QUEUE_HIGH it shrinks.
 * A request waiting in the provider's queue adds nothing (its workers are busy already) but absorbs our own
 * jitter; more only moves toward the provider's backlog limit, where it refuses or drops. Netflix's Vegas
 * aims at 3–6 (× log10 of the limit); a provider whose listen backlog is 5 needs less.
 */
const QUEUE_EMPTY = 0.5;
const QUEUE_LOW = 1;
const QUEUE_HIGH = 3;

/**
 * The limit's arithmetic alone (no timers, no I/O): fed one sample per answered or failed request. Changes
 * are per round trip, as TCP Vegas makes them: while no queue shows, the limit doubles each round trip (one
 * more per answer); between the marks it moves by one per round trip (1/limit per answer); a drop cuts it
 * once per round trip, not once per request of a burst that failed together.
 */
export function createVegasLimit(options: ConcurrencyLimitOptions) {
  const min = Math.max(1, options.min ?? 1);
  const max = Math.max(min, options.max);
  // Low at first: the first round trips must be the provider's own, not its queue's.
  let limit = Math.min(max, Math.max(min, options.initial ?? 4));
  let noLoadRtt = Number.POSITIVE_INFINITY;
  let samples = 0;
  let lastCutAt = Number.NEGATIVE_INFINITY;
  let probe: { saved: number; least: number; left: number } | null = null;
  const clamp = (value: number) => Math.min(max, Math.max(min, value));

  return {
    /** Requests allowed in flight now (whole). */
    current: () => Math.floor(limit),
    /** The least round trip the limit now takes as "no queue" (ms). */
    noLoadRttMs: () => noLoadRtt,
    onSample(sample: LimitSample): void {
      if (sample.dropped) {
        // Once per round trip: the requests of one overload come back failed together.
        const roundTrip = Number.isFinite(noLoadRtt) ? noLoadRtt : 0;
        if (sample.at - lastCutAt < roundTrip) return;
        lastCutAt = sample.at;
        if (probe) probe.saved = clamp(probe.saved * DROP_FACTOR);
        limit = clamp(limit * DROP_FACTOR);
        return;
      }
      const rtt = Math.max(sample.rttMs, 0.001);
      noLoadRtt = Math.min(noLoadRtt, rtt);
      if (probe) {
        // Only requests sent under the halved limit show the drained queue.
        if (sample.inFlight <= limit) {
          probe.least = Math.min(probe.least, rtt);
          probe.left -= 1;
        }
        if (probe.left <= 0) {
          noLoadRtt = probe.least;
          limit = probe.saved;
          probe = null;
        }
        return;
      }
      if (++samples >= PROBE_SAMPLES_PER_LIMIT * limit) {
        samples = 0;
        probe = { saved: limit, least: Number.POSITIVE_INFINITY, left: Math.max(1, Math.floor(limit / 2)) };
        limit = clamp(Math.floor(limit / 2));
        return;
      }
      // Sent while well under the limit: this round trip says nothing about whether more would fit.
      if (sample.inFlight * 2 < limit) return;
      const queued = limit * (1 - noLoadRtt / rtt);
      if (queued < QUEUE_EMPTY) limit = clamp(limit + 1);
      else if (queued < QUEUE_LOW) limit = clamp(limit + 1 / limit);
      else if (queued > QUEUE_HIGH) limit = clamp(limit - 1 / limit);
    },
  };
}

export type VegasLimit = ReturnType<typeof createVegasLimit>;

/**
 * A request's place among the ones in flight; released with what its round trip showed, or withdrawn when
 * the request was cancelled by us before it was written (that says nothing about the provider: counted as
 * a drop, a slot granted just before its deadline would lower the limit, which makes more waits end at the
 * deadline, a spiral down to one request in flight).
 */
export interface ConcurrencySlot {
  release(outcome: { dropped: boolean }): void;
  withdraw(): void;
}

/**
 * The slots: a request takes one before it is sent (in arrival order, waiting while the limit is reached)
 * and gives it back with its outcome, which moves the limit. A waiter whose signal aborts leaves the queue
 * having sent nothing.
 */
export function createAdaptiveConcurrency(options: ConcurrencyLimitOptions & { now?: () => number }) {
  const now = options.now ?? (() => performance.now());
  const limit = createVegasLimit(options);
  // Waiters that gave up stay in the queue marked as gone (a deadline aborts many at once; no search).
  const waiting: { gone: boolean; grant(): void }[] = [];
  let waitingCount = 0;
  let inFlight = 0;
  let listener: ((limit: number) => void) | null = null;

  const take = (): ConcurrencySlot => {
    inFlight += 1;
    const sentWith = inFlight;
    const started = now();
    let released = false;
    const giveBack = (sample?: { dropped: boolean }) => {
      if (released) return;
      released = true;
      inFlight -= 1;
      if (sample) {
        const before = limit.current();
        const at = now();
        limit.onSample({ rttMs: at - started, dropped: sample.dropped, inFlight: sentWith, at });
        if (limit.current() !== before) listener?.(limit.current());
      }
      admit();
    };
    return { release: giveBack, withdraw: () => giveBack() };
  };
  const admit = () => {
    while (waiting.length > 0 && inFlight < limit.current()) {
      const next = waiting.shift()!;
      if (next.gone) continue;
      waitingCount -= 1;
      next.grant();
    }
  };

  return {
    /** A slot now or when one frees; null when `signal` aborts first (the request was never sent). */
    acquire(signal: AbortSignal): Promise<ConcurrencySlot | null> {
      if (signal.aborted) return Promise.resolve(null);
      if (waitingCount === 0 && inFlight < limit.current()) return Promise.resolve(take());
      return new Promise((resolve) => {
        const leave = () => {
          waiter.gone = true;
          waitingCount -= 1;
          resolve(null);
        };
        const waiter = {
          gone: false,
          grant: () => {
            signal.removeEventListener('abort', leave);
            resolve(take());
          },
        };
        signal.addEventListener('abort', leave, { once: true });
        waiting.push(waiter);
        waitingCount += 1;
      });
    },
    limit: () => limit.current(),
    inFlight: () => inFlight,
    waiting: () => waitingCount,
    /** Hears every change of the limit (the metric); one listener. */
    onLimitChange(next: (limit: number) => void): void {
      listener = next;
    },
  };
}

export type AdaptiveConcurrency = ReturnType<typeof createAdaptiveConcurrency>;

/** What a channel shows of its provider's limit (health, metrics). */
export type ProviderConcurrency = Pick<AdaptiveConcurrency, 'limit' | 'onLimitChange'>;
