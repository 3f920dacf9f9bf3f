/**
 * How many requests a provider gets at once, found while sending instead of fixed: a Vegas-style limit (as
 * Netflix's concurrency-limits has it). A round trip longer than the one measured with the provider's queue
 * drained means requests wait in that queue. While that queue stays short the limit grows, when it
 * lengthens the limit shrinks, and a timeout or an overload answer (429, 503) cuts it by a tenth.
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
  /**
   * How late our own event loop ran since the previous call (ms; loop-lateness.ts). Default: never late
   * (the arithmetic alone, as in tests).
   */
  ownLatenessMs?: () => number;
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
 * After this many round trips at the limit, the base round trip is measured afresh: the limit is halved for
 * as many answers as it then allows, and their median is the new base. Halving drains the provider's queue,
 * so a provider that became slower for good, or a machine that became busier, is told from one that queues.
 * Each measurement costs half a round trip's sends in this many, 1%.
 */
const PROBE_EVERY_ROUND_TRIPS = 50;
/** The base is the median of the last this many measurements (a single one at first). */
const BASE_MEASUREMENTS = 3;
/** A round trip's median under this share of the base means the base is stale (too long). */
const STALE_BASE_RATIO = 0.5;
/**
 * A median is of at least this many answers (the first base of twice as many): fewer are too noisy, so
 * under this limit a step takes more than one round trip.
 */
const BASE_SAMPLES = 16;
const FIRST_BASE_SAMPLES = 2 * BASE_SAMPLES;
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
 * At a high limit a queue of a few is a few percent of the round trip, less than the noise of a busy
 * machine's medians: there the limit grows while the round trip is within 5% of the base, and shrinks
 * only once it is 10% over (a wait that short is no timeout risk).
 */
const RTT_GROW_RATIO = 1.05;
const RTT_SHRINK_RATIO = 1.1;
/**
 * When our own loop ran this late, on average, over a round trip, against that round trip's median, the
 * round trip says more about us than about the provider: its length does not lower the limit.
 */
const OWN_LATENESS_SHARE = 0.25;

/** The middle value (the mean of the two middle ones); sorts `values` in place. */
function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const middle = values.length >> 1;
  return values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
}

/**
 * The limit's arithmetic alone (no timers, no I/O): fed one sample per answered or failed request, it moves
 * once per round trip, as TCP Vegas does. A round trip's median is compared with the base round trip, the
 * median measured while the provider's queue was drained: about `limit × (1 − base / rtt)` requests wait in
 * the provider's queue. Until a queue first shows the limit doubles each round trip (a slow start); after,
 * it moves by one per round trip between the marks; a drop cuts it once per round trip, not once per
 * request of a burst that failed together.
 *
 * Why medians, not the least round trip seen: on a busy machine an answer also waits for our own event
 * loop and for CPU, 0 to several ms at random, however few requests are in flight. The least round trip
 * is then one of the rare lucky ones, every usual round trip looks like a queue, and the limit would sit
 * at a few requests while the provider kept up with 64 (the 200k bench sent 1,517/s at 64 and 863–949/s
 * under that limit). A wait that does not grow with the limit is in both medians and cancels out; a queue
 * at the provider grows with the limit and shows.
 *
 * One wait of ours does grow with the limit: with more requests in flight, more answers arrive per turn of
 * our event loop and each waits for the others. A round trip over which our own loop ran late by at least
 * a quarter of it (`ownLatenessMs`) is therefore not read as the provider's queue; only a drop lowers the
 * limit then. (The 200k bench: 1,259/s with this, 904–975/s without it.)
 */
export function createVegasLimit(options: ConcurrencyLimitOptions) {
  const min = Math.max(1, options.min ?? 1);
  const max = Math.max(min, options.max);
  // Low at first: the first round trips must be the provider's own, not its queue's.
  let limit = Math.min(max, Math.max(min, options.initial ?? 4));
  let baseRtt = Number.POSITIVE_INFINITY;
  // The last few measurements' medians: one unlucky measurement does not set the base alone.
  const measured: number[] = [];
  let lastCutAt = Number.NEGATIVE_INFINITY;
  // The latest round trip's median (0 before the first): how long one round of requests takes now.
  let recentRtt = 0;
  // The round trips of the current round trip, and how many round trips since the base was measured.
  let roundTrip: number[] = [];
  let roundTrips = 0;
  // Measuring the base: the limit to go back to, the round trips so far, how many it takes.
  let probe: { saved: number; rtts: number[]; need: number } | null = { saved: limit, rtts: [], need: FIRST_BASE_SAMPLES };
  // Doubling stops for good at the first queue or drop: after that a low median is as likely noise.
  let slowStart = true;
  const clamp = (value: number) => Math.min(max, Math.max(min, value));

  const startProbe = () => {
    const halved = clamp(Math.floor(limit / 2));
    probe = { saved: limit, rtts: [], need: Math.max(BASE_SAMPLES, halved) };
    limit = halved;
    roundTrip = [];
  };

  const ownLateness = options.ownLatenessMs ?? (() => 0);

  const adjust = (rtt: number) => {
    const lateness = ownLateness();
    if (rtt < baseRtt * STALE_BASE_RATIO) {
      // A round trip at the limit cannot be much shorter than one with the queue drained: the base was
      // taken while the provider or this process was slow (a cold start, a pause). Measure it again alone.
      measured.length = 0;
      startProbe();
      return;
    }
    const queued = limit * (1 - baseRtt / rtt);
    if (queued >= QUEUE_EMPTY) slowStart = false;
    if (slowStart) limit = clamp(limit * 2);
    // Much of this round trip was the answer waiting for our own busy loop (more requests in flight mean
    // more answers per turn, so that wait grows with the limit as a provider's queue would). Lowering the
    // limit would only slow us down: here only a drop (a timeout, a 429/503) does.
    else if (lateness >= rtt * OWN_LATENESS_SHARE) limit = clamp(limit + 1);
    else if (queued < QUEUE_LOW || rtt < baseRtt * RTT_GROW_RATIO) limit = clamp(limit + 1);
    else if (queued > QUEUE_HIGH && rtt > baseRtt * RTT_SHRINK_RATIO) limit = clamp(limit - 1);
  };

  return {
    /** Requests allowed in flight now (whole). */
    current: () => Math.floor(limit),
    /** The round trip the limit now takes as "no queue at the provider" (ms). */
    baseRttMs: () => baseRtt,
    onSample(sample: LimitSample): void {
      if (sample.dropped) {
        // Once per round trip (the latest one's or the base, the longer): the requests of one overload come
        // back failed together.
        if (sample.at - lastCutAt < Math.max(recentRtt, Number.isFinite(baseRtt) ? baseRtt : 0)) return;
        lastCutAt = sample.at;
        slowStart = false;
        if (probe) probe.saved = clamp(probe.saved * DROP_FACTOR);
        limit = clamp(limit * DROP_FACTOR);
        roundTrip = [];
        return;
      }
      const rtt = Math.max(sample.rttMs, 0.001);
      if (probe) {
        // Only requests sent under the halved limit show the drained queue.
        if (sample.inFlight <= limit) probe.rtts.push(rtt);
        if (probe.rtts.length >= probe.need) {
          recentRtt = median(probe.rtts);
          measured.push(recentRtt);
          if (measured.length > BASE_MEASUREMENTS) measured.shift();
          baseRtt = median([...measured]);
          limit = probe.saved;
          probe = null;
          roundTrip = [];
          roundTrips = 0;
        }
        return;
      }
      // Sent while well under the limit: this round trip says nothing about whether more would fit.
      if (sample.inFlight * 2 < limit) return;
      roundTrip.push(rtt);
      if (roundTrip.length < Math.max(BASE_SAMPLES, Math.floor(limit))) return;
      recentRtt = median(roundTrip);
      roundTrip = [];
      adjust(recentRtt);
      if (!probe && ++roundTrips >= PROBE_EVERY_ROUND_TRIPS) startProbe();
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
