/**
 * How many requests a provider gets at once, found while sending instead of fixed: an AIMD limit (as
 * Netflix's concurrency-limits `AIMDLimit`, with TCP's slow start). It grows while the provider answers,
 * and a sign that the provider took too much cuts it by a tenth: a timeout, a connection lost after
 * sending, an overload answer (429, 503), or a round trip longer than a quarter of the call's timeout
 * (the provider queues what it cannot work on, and that queue is eating the time left before a request
 * times out after it was sent: an ambiguous outcome, where re-sending can be a second SMS).
 *
 * Why not a limit that reads the round trip's growth as the provider's queue (Vegas, Gradient): on a
 * shared machine most of a round trip's variation is our own event loop and the cores it shares, not the
 * provider. Measured on this 2-core machine: with a Vegas limit the 200k bench ran at 863–975/s against
 * 1,517/s with the limit pinned at 64 (in unit cases, 0–4 ms of noise per answer held it at 3), and a
 * reworked one (medians, a re-measured base, our own loop's lateness discounted) fell to 69% of an
 * overloaded provider's rate in a full CI run. The signs used here do not come from our own CPU: an
 * answer says 503, or a request took a large share of its deadline.
 */

export interface ConcurrencyLimitOptions {
  /** The most requests in flight (the pool's connections). */
  max: number;
  /** The fewest; the limit never goes under it (default 1). */
  min?: number;
  /** Where it starts (default min(max, 4)). */
  initial?: number;
  /** A round trip longer than this counts as a drop (default: never; provider-http gives a quarter of its timeout). */
  slowRttMs?: number;
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

const DROP_FACTOR = 0.9;
/**
 * Back near the limit at which the provider last refused, growth slows to a quarter (as TCP CUBIC's plateau
 * around its last maximum): against a provider of fixed capacity the limit spends its time just under
 * where it refuses, so refusals are a quarter as frequent. Past that limit it grows at full pace again
 * (the provider has more room now).
 */
const PLATEAU_GROWTH = 0.25;

/**
 * The limit's arithmetic alone (no timers, no I/O): fed one sample per answered or failed request.
 * - Slow start: until the first drop the limit grows by one per answer (doubling per round trip).
 * - After it: one per round trip (1/limit per answer), as TCP's congestion avoidance; a quarter of that
 *   from a tenth under the limit of the last drop to one over it.
 * - A drop cuts it by a tenth, once per overload: a request sent before the last cut was sent under the
 *   higher limit the cut already answered, so its failure is not counted again (the requests of one
 *   overload come back failed together).
 * - An answer to a request sent while fewer than half the limit were in flight says nothing about whether
 *   more would fit: the limit does not grow on it (we had less to send, not the provider more room).
 */
export function createAimdLimit(options: ConcurrencyLimitOptions) {
  const min = Math.max(1, options.min ?? 1);
  const max = Math.max(min, options.max);
  const slowRttMs = options.slowRttMs ?? Number.POSITIVE_INFINITY;
  // Low at first: a provider of small capacity is not hit with the whole ceiling at once.
  let limit = Math.min(max, Math.max(min, options.initial ?? 4));
  let lastCutAt = Number.NEGATIVE_INFINITY;
  // The limit when the provider last took too much; none yet means slow start.
  let droppedAt = Number.POSITIVE_INFINITY;
  const clamp = (value: number) => Math.min(max, Math.max(min, value));

  return {
    /** Requests allowed in flight now (whole). */
    current: () => Math.floor(limit),
    onSample(sample: LimitSample): void {
      if (sample.dropped || sample.rttMs > slowRttMs) {
        const sentAt = sample.at - sample.rttMs;
        if (sentAt < lastCutAt) return;
        lastCutAt = sample.at;
        droppedAt = limit;
        limit = clamp(limit * DROP_FACTOR);
        return;
      }
      if (sample.inFlight * 2 < limit) return;
      if (droppedAt === Number.POSITIVE_INFINITY) limit = clamp(limit + 1);
      else limit = clamp(limit + (limit >= droppedAt * DROP_FACTOR && limit < droppedAt + 1 ? PLATEAU_GROWTH : 1) / limit);
    },
  };
}

export type AimdLimit = ReturnType<typeof createAimdLimit>;

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

/** A wait for a slot: the slot once granted (null if left first), and how to give up waiting. */
export interface SlotWait {
  readonly slot: Promise<ConcurrencySlot | null>;
  /** Leaves the queue, having sent nothing; nothing once the slot was granted. */
  leave(): void;
}

/**
 * The slots: a request takes one before it is sent (in arrival order, waiting while the limit is reached)
 * and gives it back with its outcome, which moves the limit. A waiter that leaves (its deadline, its
 * caller) gives up its place having sent nothing.
 */
export function createAdaptiveConcurrency(options: ConcurrencyLimitOptions & { now?: () => number }) {
  const now = options.now ?? (() => performance.now());
  const limit = createAimdLimit(options);
  // Waiters that gave up stay in the queue marked as gone (a deadline aborts many at once; no search).
  const waiting: { gone: boolean; granted: boolean; grant(): void }[] = [];
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
  const tryAcquire = (): ConcurrencySlot | null => (waitingCount === 0 && inFlight < limit.current() ? take() : null);
  const admit = () => {
    while (waiting.length > 0 && inFlight < limit.current()) {
      const next = waiting.shift()!;
      if (next.gone) continue;
      waitingCount -= 1;
      next.grant();
    }
  };

  return {
    /** A slot now if one is free and nobody waits, else null (then waitForSlot() to wait for one). */
    tryAcquire,
    /**
     * A place in the queue for a slot (after tryAcquire() gave none): its slot when one frees, or null
     * once the caller left first (its deadline or its cancel; the request was never sent). No signal: a
     * waiting call is the common case under load, and an AbortSignal per call costs more than the rest.
     */
    waitForSlot(): SlotWait {
      const free = tryAcquire();
      if (free) return { slot: Promise.resolve(free), leave: () => undefined };
      let settle!: (slot: ConcurrencySlot | null) => void;
      const slot = new Promise<ConcurrencySlot | null>((resolve) => (settle = resolve));
      const waiter = {
        gone: false,
        granted: false,
        grant: () => {
          waiter.granted = true;
          settle(take());
        },
      };
      waiting.push(waiter);
      waitingCount += 1;
      return {
        slot,
        leave() {
          if (waiter.gone || waiter.granted) return;
          waiter.gone = true;
          waitingCount -= 1;
          settle(null);
        },
      };
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
