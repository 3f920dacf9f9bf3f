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

  it('cuts the limit by a tenth on a drop, once per round trip, down to the minimum', () => {
    const limit = createVegasLimit({ max: 64, initial: 40, min: 2 });
    limit.onSample({ rttMs: 10, dropped: false, inFlight: 1, at: 0 }); // a no-load round trip of 10 ms
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
    expect(limit.noLoadRttMs()).toBe(100);
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
