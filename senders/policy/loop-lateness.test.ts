import { loopLatenessReader } from './loop-lateness';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('our own event loop\'s lateness', () => {
  it('reads as the turns that kept the loop busy, and as 0 when nothing was measured since the last read', async () => {
    const read = loopLatenessReader();
    // Turns of 40 ms of work, one after another, for about 400 ms: a timer due every 10 ms runs late by
    // most of a turn each time.
    const until = performance.now() + 400;
    while (performance.now() < until) {
      const turnEnds = performance.now() + 40;
      while (performance.now() < turnEnds);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await pause(15);
    expect(read()).toBeGreaterThan(10);
    expect(read()).toBe(0);
  });

  it('gives each reader its own span', async () => {
    const first = loopLatenessReader();
    await pause(50);
    const second = loopLatenessReader();
    first();
    expect(second()).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(first())).toBe(true);
  });
});
