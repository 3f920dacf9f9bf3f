import { createAdaptiveConcurrency, createAimdLimit } from './adaptive-concurrency';

interface Provider {
  /** Requests worked on at once, each for `serviceMs`; up to `queue` more wait in order; beyond, 503 at once. */
  workers: number;
  queue: number;
  serviceMs: number;
}

/**
 * A client that always has more to send, keeping `limit` requests in flight against `provider`, for `count`
 * answers. `noiseMs` adds our own delay to each round trip as a busy machine does (the provider does not
 * see it). Returns per answer the limit after it, plus the provider's busy share and the 503s.
 */
function simulate(options: { provider: Provider; count: number; noiseMs?: () => number; slowRttMs?: number }) {
  const { provider, count } = options;
  const limit = createAimdLimit({ max: 64, slowRttMs: options.slowRttMs });
  const freeAt: number[] = Array.from({ length: provider.workers }, () => 0);
  const inFlight: { sentAt: number; startAt: number; answerAt: number; dropped: boolean; sentWith: number }[] = [];
  let now = 0;
  let refused = 0;
  let worked = 0;
  const limits: number[] = [];
  const rtts: number[] = [];
  const send = () => {
    // The worker free soonest takes it; it waits if that worker is busy, and is refused if the queue is full.
    freeAt.sort((a, b) => a - b);
    const waiting = inFlight.filter((request) => !request.dropped && request.startAt > now).length;
    const noise = options.noiseMs?.() ?? 0;
    if (freeAt[0]! > now && waiting >= provider.queue) {
      refused += 1;
      inFlight.push({ sentAt: now, startAt: now, answerAt: now + 0.5 + noise, dropped: true, sentWith: inFlight.length + 1 });
      return;
    }
    const startAt = Math.max(now, freeAt[0]!);
    freeAt[0] = startAt + provider.serviceMs;
    worked += provider.serviceMs;
    inFlight.push({ sentAt: now, startAt, answerAt: freeAt[0] + noise, dropped: false, sentWith: inFlight.length + 1 });
  };
  while (inFlight.length < limit.current()) send();
  for (let i = 0; i < count; i++) {
    let next = 0;
    for (let j = 1; j < inFlight.length; j++) if (inFlight[j]!.answerAt < inFlight[next]!.answerAt) next = j;
    const answer = inFlight.splice(next, 1)[0]!;
    now = answer.answerAt;
    limit.onSample({ rttMs: now - answer.sentAt, dropped: answer.dropped, inFlight: answer.sentWith, at: now });
    limits.push(limit.current());
    rtts.push(now - answer.sentAt);
    while (inFlight.length < limit.current()) send();
  }
  return { limits, rtts, refused, busy: worked / (now * provider.workers) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
/** A busy machine's noise: mostly a few ms, now and then a stall of up to 60 ms (deterministic). */
function noisyMachine() {
  let state = 7;
  const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  return () => (random() < 0.05 ? 60 * random() : 4 * random());
}

describe('the AIMD limit', () => {
  it('grows to the maximum against a provider that keeps up, however noisy our own round trips', () => {
    const quiet = simulate({ provider: { workers: 1000, queue: 0, serviceMs: 2 }, count: 5_000 });
    expect(quiet.limits.at(-1)).toBe(64);
    const noisy = simulate({ provider: { workers: 1000, queue: 0, serviceMs: 2 }, count: 20_000, noiseMs: noisyMachine() });
    expect(Math.min(...noisy.limits.slice(200))).toBe(64);
  });

  it.each([[8, 8, 20], [4, 5, 20], [16, 4, 5], [32, 16, 50], [8, 0, 20]])(
    'keeps a provider of %i workers and a backlog of %i (%i ms each) busy, refused only now and then',
    (workers, queue, serviceMs) => {
      const run = simulate({ provider: { workers, queue, serviceMs }, count: 40_000 });
      expect(run.busy).toBeGreaterThan(0.97);
      // A refusal per several round trips (each answered at once and safe to re-send), not a fixed 64's flood.
      expect(run.refused / 40_000).toBeLessThan(0.035);
      expect(Math.max(...run.limits.slice(1_000))).toBeLessThanOrEqual(workers + queue + 2);
    },
  );

  it('keeps round trips under its slow mark against a provider that queues without refusing', () => {
    // One worker of 50 ms with a long queue: 64 in flight would wait 3.2 s, 64% of a 5 s timeout.
    const run = simulate({ provider: { workers: 1, queue: 1_000, serviceMs: 50 }, count: 10_000, slowRttMs: 1_250 });
    expect(median(run.rtts.slice(2_000))).toBeLessThanOrEqual(1_250);
    expect(run.busy).toBeGreaterThan(0.97);
  });

  it('cuts the limit by a tenth on a drop, once for the requests sent before the cut, down to the minimum', () => {
    const limit = createAimdLimit({ max: 64, initial: 40, min: 2 });
    limit.onSample({ rttMs: 100, dropped: true, inFlight: 40, at: 100 });
    limit.onSample({ rttMs: 99, dropped: true, inFlight: 40, at: 101 }); // sent before the cut: the same overload
    expect(limit.current()).toBe(36);
    for (let i = 0; i < 100; i++) limit.onSample({ rttMs: 10, dropped: true, inFlight: 1, at: 200 + 20 * i });
    expect(limit.current()).toBe(2);
  });

  it('counts a round trip over its slow mark as a drop', () => {
    const limit = createAimdLimit({ max: 64, initial: 20, slowRttMs: 1_000 });
    limit.onSample({ rttMs: 999, dropped: false, inFlight: 20, at: 1_000 });
    expect(limit.current()).toBe(21);
    limit.onSample({ rttMs: 1_001, dropped: false, inFlight: 20, at: 3_000 });
    expect(limit.current()).toBe(18);
  });

  it('grows one per answer until the first drop, then a quarter per round trip near where it dropped, then one', () => {
    const limit = createAimdLimit({ max: 64, initial: 10 });
    const answers = (count: number, inFlight: number) => {
      for (let i = 0; i < count; i++) limit.onSample({ rttMs: 5, dropped: false, inFlight, at: 100 + i });
    };
    answers(10, 10);
    expect(limit.current()).toBe(20);
    limit.onSample({ rttMs: 5, dropped: true, inFlight: 20, at: 20 });
    expect(limit.current()).toBe(18);
    answers(72, 18); // 18 × 4 answers: a quarter per round trip, 18.98
    expect(limit.current()).toBe(18);
    answers(2, 18);
    expect(limit.current()).toBe(19);
    answers(170, 21); // a quarter per round trip up to 21 (the drop's 20, plus one), a whole one past it
    expect(limit.current()).toBe(21);
    answers(44, 21);
    expect(limit.current()).toBe(23);
  });

  it('does not grow on round trips of requests sent well under the limit', () => {
    const limit = createAimdLimit({ max: 64, initial: 20 });
    for (let i = 0; i < 100; i++) limit.onSample({ rttMs: 5, dropped: false, inFlight: 3, at: i });
    expect(limit.current()).toBe(20);
  });
});

describe('the slots', () => {
  const acquire = (slots: ReturnType<typeof createAdaptiveConcurrency>) => slots.waitForSlot().slot;

  it('admits up to the limit at once and the rest in arrival order as slots free', async () => {
    let clock = 0;
    const slots = createAdaptiveConcurrency({ max: 2, initial: 2, now: () => clock });
    const first = await acquire(slots);
    const second = await acquire(slots);
    const order: string[] = [];
    const third = acquire(slots).then((slot) => (order.push('third'), slot));
    const fourth = acquire(slots).then((slot) => (order.push('fourth'), slot));
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
    const held = await acquire(slots);
    const gaveUp = slots.waitForSlot();
    const next = slots.waitForSlot();
    gaveUp.leave();
    gaveUp.leave(); // twice: still one place given up
    expect(await gaveUp.slot).toBeNull();
    expect(slots.waiting()).toBe(1);
    held!.release({ dropped: false });
    const granted = await next.slot;
    expect(granted).not.toBeNull();
    next.leave(); // after the grant: nothing, the slot stays taken
    expect([slots.inFlight(), slots.waiting()]).toEqual([1, 0]);
  });

  it('takes a withdrawn slot back without moving the limit (a request we cancelled before it was written)', async () => {
    const slots = createAdaptiveConcurrency({ max: 10, initial: 10 });
    const changes: number[] = [];
    slots.onLimitChange((limit) => changes.push(limit));
    for (let i = 0; i < 20; i++) (await acquire(slots))!.withdraw();
    expect(changes).toEqual([]);
    expect([slots.limit(), slots.inFlight()]).toEqual([10, 0]);
  });

  it('tells each change of the limit, and a second release of one slot counts once', async () => {
    const slots = createAdaptiveConcurrency({ max: 10, initial: 10 });
    const changes: number[] = [];
    slots.onLimitChange((limit) => changes.push(limit));
    const slot = await acquire(slots);
    slot!.release({ dropped: true });
    slot!.release({ dropped: true });
    expect(changes).toEqual([9]);
    expect(slots.inFlight()).toBe(0);
  });
});
