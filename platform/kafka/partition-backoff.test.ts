import { createPartitionBackoff, type Timers } from './partition-backoff';

function fakeTimers() {
  const scheduled = new Map<number, { fn: () => void; ms: number }>();
  let next = 0;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      next += 1;
      scheduled.set(next, { fn, ms });
      return next;
    },
    clearTimeout: (handle) => void scheduled.delete(handle as number),
  };
  return { timers, scheduled };
}

describe('partition backoff', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1_000, maxAttempts: Infinity };

  it('counts attempts per partition and forgets them on success', () => {
    const backoff = createPartitionBackoff(policy, fakeTimers().timers);
    expect(backoff.fail('a|0')).toBe(1);
    expect(backoff.fail('a|0')).toBe(2);
    expect(backoff.attempts('a|1')).toBe(0);
    backoff.succeed('a|0');
    expect(backoff.attempts('a|0')).toBe(0);
  });

  afterEach(() => jest.restoreAllMocks());

  it('pauses now and resumes once the delay passes; delays stay within the cap', () => {
    const { timers, scheduled } = fakeTimers();
    jest.spyOn(Math, 'random').mockReturnValue(0.5); // cockatiel's jitter, made repeatable
    const backoff = createPartitionBackoff(policy, timers);
    let resumed = 0;
    const delays: number[] = [];
    for (let i = 0; i < 20; i += 1) delays.push(backoff.pauseFor('a|0', () => () => void (resumed += 1)));
    expect(delays.every((d) => d > 0 && d <= 1_000)).toBe(true);
    expect(Math.max(...delays.slice(10))).toBeGreaterThan(100); // grows past the initial delay
    expect(scheduled.size).toBe(1); // a newer pause replaces the pending resume of the same partition
    [...scheduled.values()].forEach(({ fn }) => fn());
    expect(resumed).toBe(1);
  });

  it('cancels pending resumes on clear (the consumer is stopping)', () => {
    const { timers, scheduled } = fakeTimers();
    const backoff = createPartitionBackoff(policy, timers);
    backoff.pauseFor('a|0', () => () => undefined);
    backoff.pauseFor('b|0', () => () => undefined);
    backoff.clear();
    expect(scheduled.size).toBe(0);
  });
});
