import { MAX_LIFECYCLE_WAIT_MS, nextLifecycleWait } from './scheduler';

describe('nextLifecycleWait', () => {
  it.each([
    [{ spentMs: 10, failed: false, everyMs: 2000 }, 2000],
    [{ spentMs: 1000, failed: false, everyMs: 2000 }, 9000],
    // A check that hung on an outage (40 s of Redis retries) used to pause the loop for 6 minutes.
    [{ spentMs: 40_000, failed: false, everyMs: 2000 }, MAX_LIFECYCLE_WAIT_MS],
    [{ spentMs: 40_000, failed: true, everyMs: 2000 }, 2000],
  ])('%j → %i ms', (last, wait) => {
    expect(nextLifecycleWait(last)).toBe(wait);
  });
});
