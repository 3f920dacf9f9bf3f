import { createSampler } from './sampler';

describe('createSampler', () => {
  const clock = () => {
    let now = 0;
    return { now: () => now, advance: (ms: number) => void (now += ms) };
  };

  it('shares one read between overlapping scrapes and reuses it within maxAgeMs', async () => {
    const time = clock();
    let reads = 0;
    const sampler = createSampler(async () => ++reads, { maxAgeMs: 1_000, timeoutMs: 500, now: time.now });
    expect(await Promise.all([sampler.get(), sampler.get(), sampler.get()])).toEqual([1, 1, 1]);
    time.advance(999);
    expect(await sampler.get()).toBe(1);
    expect(reads).toBe(1);
  });

  it('serves the last value while a refresh runs behind it, and waits for the read once the value is too old', async () => {
    const time = clock();
    let reads = 0;
    const sampler = createSampler(async () => ++reads, { maxAgeMs: 1_000, maxStaleMs: 5_000, timeoutMs: 500, now: time.now });
    await sampler.get();
    time.advance(2_000);
    expect(await sampler.get()).toBe(1); // stale but served; refresh started
    await new Promise((resolve) => setImmediate(resolve));
    expect(await sampler.get()).toBe(2);
    time.advance(10_000);
    expect(await sampler.get()).toBe(3); // too old to serve: waited for the read
  });

  it('answers null and reports a read that fails or times out', async () => {
    const errors: string[] = [];
    const failing = createSampler(async () => { throw new Error('broker down'); }, {
      maxAgeMs: 1_000, timeoutMs: 500, onError: (e) => errors.push((e as Error).message),
    });
    expect(await failing.get()).toBeNull();
    const hanging = createSampler(() => new Promise<number>(() => undefined), {
      maxAgeMs: 1_000, timeoutMs: 20, onError: (e) => errors.push((e as Error).message),
    });
    expect(await hanging.get()).toBeNull();
    expect(errors).toEqual(['broker down', 'sample not read within 20 ms']);
  });
});
