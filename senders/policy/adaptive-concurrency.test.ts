import { createAdaptiveConcurrency, createVegasLimit } from './adaptive-concurrency';

/** A provider with `workers` that each take `serviceMs`: with `limit` requests kept in flight, the rest wait in its queue. */
const roundTrip = (limit: number, workers: number, serviceMs: number) => serviceMs * Math.max(1, limit / workers);

describe('the Vegas-style limit', () => {
  /** Feeds `count` answers of a provider of `workers`, each `serviceMs`, kept at the limit; returns the limits seen. */
  function run(limit: ReturnType<typeof createVegasLimit>, count: number, rttOf: (current: number) => number) {
    const seen: number[] = [];
    let at = 0;
    for (let i = 0; i < count; i++) {
      const current = limit.current();
      const rttMs = rttOf(current);
      at += rttMs / current; // `current` answers come back per round trip
      limit.onSample({ rttMs, dropped: false, inFlight: current, at });
      seen.push(limit.current());
    }
    return seen;
  }

  it('grows to the maximum while round trips show no queue', () => {
    const limit = createVegasLimit({ max: 64, initial: 4 });
    run(limit, 200, () => 20);
    expect(limit.current()).toBe(64);
  });

  it.each([[4, 20], [8, 20], [16, 5], [32, 50]])('keeps a provider of %i workers (%i ms each) busy with a queue of a few, not the fixed 64', (workers, serviceMs) => {
    const limit = createVegasLimit({ max: 64 });
    const seen = run(limit, 40_000, (current) => roundTrip(current, workers, serviceMs)).slice(20_000);
    // Busy: the share of the provider's workers in use, averaged (the probes halve the limit now and then).
    const busy = seen.reduce((sum, l) => sum + Math.min(l, workers) / workers, 0) / seen.length;
    expect(busy).toBeGreaterThan(0.97);
    // Its queue stays short: a listen backlog of 5 is never reached.
    expect(Math.max(...seen)).toBeLessThanOrEqual(workers + 4);
  });

  /** A seeded generator (mulberry32), so a noisy case is the same on every run. */
  function noise(seed: number) {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** The limits of the second half of 40,000 answers, for each of three seeds of `extra` (ms added to every round trip). */
  function seeded(workers: number, serviceMs: number, extra: (random: () => number) => number) {
    return [1, 2, 3].map((seed) => {
      const random = noise(seed);
      return run(createVegasLimit({ max: 64 }), 40_000, (current) => roundTrip(current, workers, serviceMs) + extra(random)).slice(20_000);
    });
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

  it('raises the limit toward the maximum when round trips are long but do not grow with it (our own busy machine, not a provider queue)', () => {
    // A provider of 200 workers at 0.5 ms each keeps up with anything up to 64 in flight; every answer also
    // waits 0–4 ms, at random, for CPU on a busy machine. The least round trip is then far under the usual
    // one: taking it as the base held the limit at 3 on average.
    for (const seen of seeded(200, 0.5, (random) => 4 * random())) expect(mean(seen)).toBeGreaterThan(52);
  });

  it('keeps a provider of 40 workers busy through the same noise, without a queue past its backlog', () => {
    // Taking the least round trip as the base used 6 of its 40 workers on average.
    for (const seen of seeded(40, 2, (random) => 4 * random())) {
      expect(mean(seen.map((l) => Math.min(l, 40) / 40))).toBeGreaterThan(0.85);
      expect(mean(seen)).toBeLessThan(40 + 16);
    }
  });

  it('still keeps a noisy provider queue short: 8 workers of 5 ms, answers late by 0–2 ms at random', () => {
    const random = noise(2);
    const limit = createVegasLimit({ max: 64 });
    const seen = run(limit, 40_000, (current) => roundTrip(current, 8, 5) + 2 * random()).slice(20_000);
    const busy = seen.reduce((sum, l) => sum + Math.min(l, 8) / 8, 0) / seen.length;
    expect(busy).toBeGreaterThan(0.95);
    expect(Math.max(...seen)).toBeLessThanOrEqual(8 + 5);
  });

  it('does not read a round trip that was mostly our own loop\'s lateness as the provider\'s queue; a drop still cuts', () => {
    // Round trips that grow with the limit as a queue of 8 workers would, but our own loop ran 40% of
    // each round trip late: the answers waited for us. Without the lateness this limit stays near 11.
    let rtt = 0;
    const limit = createVegasLimit({ max: 64, ownLatenessMs: () => 0.4 * rtt });
    run(limit, 40_000, (current) => (rtt = roundTrip(current, 8, 5)));
    expect(limit.current()).toBe(64);
    limit.onSample({ rttMs: 5_000, dropped: true, inFlight: 64, at: 1e9 });
    expect(limit.current()).toBe(57);
  });

  it('still reads the queue when our own loop was only a little late', () => {
    let rtt = 0;
    const limit = createVegasLimit({ max: 64, ownLatenessMs: () => 0.1 * rtt });
    const seen = run(limit, 40_000, (current) => (rtt = roundTrip(current, 8, 5))).slice(20_000);
    expect(Math.max(...seen)).toBeLessThanOrEqual(8 + 4);
  });

  it('measures the base again at once when it was taken during a cold start', () => {
    // The first answers of a process take 250 ms (connections, JIT); then the provider's 8 workers answer in 20 ms.
    const limit = createVegasLimit({ max: 64 });
    let cold = 32;
    const seen = run(limit, 4_000, (current) => (cold-- > 0 ? 250 : roundTrip(current, 8, 20)));
    expect(limit.baseRttMs()).toBeLessThan(30);
    expect(Math.max(...seen.slice(1_000))).toBeLessThanOrEqual(8 + 4);
  });

  it('cuts the limit by a tenth on a drop, once per round trip, down to the minimum', () => {
    const limit = createVegasLimit({ max: 64, initial: 40, min: 2 });
    for (let i = 0; i < 32; i++) limit.onSample({ rttMs: 10, dropped: false, inFlight: 1, at: 0 }); // a base round trip of 10 ms
    limit.onSample({ rttMs: 10_000, dropped: true, inFlight: 40, at: 100 });
    limit.onSample({ rttMs: 10_000, dropped: true, inFlight: 40, at: 101 }); // the same overload
    expect(limit.current()).toBe(36);
    for (let i = 0; i < 100; i++) limit.onSample({ rttMs: 10_000, dropped: true, inFlight: 1, at: 200 + 20 * i });
    expect(limit.current()).toBe(2);
  });

  it('does not grow on round trips of requests sent well under the limit', () => {
    const limit = createVegasLimit({ max: 64, initial: 20 });
    for (let i = 0; i < 100; i++) limit.onSample({ rttMs: 5, dropped: false, inFlight: 3, at: i });
    expect(limit.current()).toBe(20);
  });

  it('measures the no-load round trip afresh, so a provider that became slower for good is not read as a queue forever', () => {
    const limit = createVegasLimit({ max: 64, initial: 8 });
    run(limit, 50, () => 10);
    // From now on every answer takes 100 ms however few are in flight: no queue, a slower provider.
    run(limit, 20_000, () => 100);
    expect(limit.baseRttMs()).toBe(100);
    expect(limit.current()).toBe(64);
  });
});

describe('the slots', () => {
  const never = () => new AbortController().signal;

  it('admits up to the limit at once and the rest in arrival order as slots free', async () => {
    let clock = 0;
    const slots = createAdaptiveConcurrency({ max: 2, initial: 2, now: () => clock });
    const first = await slots.acquire(never());
    const second = await slots.acquire(never());
    const order: string[] = [];
    const third = slots.acquire(never()).then((slot) => (order.push('third'), slot));
    const fourth = slots.acquire(never()).then((slot) => (order.push('fourth'), slot));
    expect([slots.inFlight(), slots.waiting()]).toEqual([2, 2]);
    clock = 10;
    first!.release({ dropped: false });
    await third;
    expect(order).toEqual(['third']);
    second!.release({ dropped: false });
    await fourth;
    expect(order).toEqual(['third', 'fourth']);
    expect(slots.waiting()).toBe(0);
  });

  it('lets a waiter whose deadline passes leave without a slot, and does not count it', async () => {
    const slots = createAdaptiveConcurrency({ max: 1, initial: 1 });
    const held = await slots.acquire(never());
    const deadline = new AbortController();
    const gaveUp = slots.acquire(deadline.signal);
    const next = slots.acquire(never());
    deadline.abort();
    expect(await gaveUp).toBeNull();
    expect(slots.waiting()).toBe(1);
    held!.release({ dropped: false });
    expect(await next).not.toBeNull();
    expect(slots.inFlight()).toBe(1);
  });

  it('takes a withdrawn slot back without moving the limit (a request we cancelled before it was written)', async () => {
    const slots = createAdaptiveConcurrency({ max: 10, initial: 10 });
    const changes: number[] = [];
    slots.onLimitChange((limit) => changes.push(limit));
    for (let i = 0; i < 20; i++) (await slots.acquire(never()))!.withdraw();
    expect(changes).toEqual([]);
    expect([slots.limit(), slots.inFlight()]).toEqual([10, 0]);
  });

  it('tells each change of the limit, and a second release of one slot counts once', async () => {
    const slots = createAdaptiveConcurrency({ max: 10, initial: 10 });
    const changes: number[] = [];
    slots.onLimitChange((limit) => changes.push(limit));
    const slot = await slots.acquire(never());
    slot!.release({ dropped: true });
    slot!.release({ dropped: true });
    expect(changes).toEqual([9]);
    expect(slots.inFlight()).toBe(0);
  });
});
