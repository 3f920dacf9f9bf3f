import { silentLogger } from '../logger';
import { createCrashRestarter, decideCrashRestart } from './crash-restart';
import type { Timers } from './partition-backoff';

const policy = { initialDelayMs: 1_000, maxDelayMs: 8_000 };

describe('decideCrashRestart', () => {
  it.each([
    { kafkajsRestarts: true, stopping: false, reason: 'kafkajs-restarts' },
    { kafkajsRestarts: false, stopping: true, reason: 'stopping' },
    { kafkajsRestarts: true, stopping: true, reason: 'stopping' },
  ])('does nothing when kafkajs restarts=$kafkajsRestarts, stopping=$stopping', ({ kafkajsRestarts, stopping, reason }) => {
    expect(decideCrashRestart({ kafkajsRestarts, stopping, previousCrashes: 0 }, policy)).toEqual({ action: 'none', reason });
  });

  it.each([
    // previous crashes → delay ceiling: 1 s doubling, capped at 8 s
    { previousCrashes: 0, low: 500, high: 1_000 },
    { previousCrashes: 1, low: 1_000, high: 2_000 },
    { previousCrashes: 2, low: 2_000, high: 4_000 },
    { previousCrashes: 3, low: 4_000, high: 8_000 },
    { previousCrashes: 10, low: 4_000, high: 8_000 },
    { previousCrashes: 5_000, low: 4_000, high: 8_000 },
  ])('restarts a crash kafkajs gave up on, after crash $previousCrashes, within [$low, $high] ms', ({ previousCrashes, low, high }) => {
    const input = { kafkajsRestarts: false, stopping: false, previousCrashes };
    expect(decideCrashRestart(input, policy, () => 0)).toEqual({ action: 'restart', delayMs: low, attempt: previousCrashes + 1 });
    expect(decideCrashRestart(input, policy, () => 0.999_999)).toEqual({ action: 'restart', delayMs: high, attempt: previousCrashes + 1 });
  });
});

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
  /** Fires every scheduled timer once and lets the restart it starts settle. */
  const fireAll = async () => {
    const due = [...scheduled.entries()];
    scheduled.clear();
    for (const [, { fn }] of due) fn();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { timers, scheduled, fireAll };
}

function fakeConsumer(failures: unknown[] = []) {
  const calls: string[] = [];
  return {
    calls,
    consumer: {
      connect: async () => void calls.push('connect'),
      run: async () => {
        calls.push('run');
        const failure = failures.shift();
        if (failure) throw failure;
      },
    },
  };
}

const crash = (restart: boolean) => ({ error: new Error('MESSAGE_TOO_LARGE'), restart });

describe('createCrashRestarter', () => {
  it('leaves a crash kafkajs restarts to kafkajs', () => {
    const t = fakeTimers();
    const c = fakeConsumer();
    const restarter = createCrashRestarter({ consumer: c.consumer, logger: silentLogger, policy, timers: t.timers, random: () => 0 });
    restarter.onCrash(crash(true));
    expect(t.scheduled.size).toBe(0);
    expect(c.calls).toEqual([]);
  });

  it('reconnects and runs again after a crash kafkajs will not restart, later after each further crash', async () => {
    const t = fakeTimers();
    const c = fakeConsumer();
    const restarter = createCrashRestarter({ consumer: c.consumer, logger: silentLogger, policy, timers: t.timers, random: () => 0 });
    restarter.onCrash(crash(false));
    expect([...t.scheduled.values()].map((s) => s.ms)).toEqual([500]);
    await t.fireAll();
    expect(c.calls).toEqual(['connect', 'run']);
    restarter.onCrash(crash(false));
    expect([...t.scheduled.values()].map((s) => s.ms)).toEqual([1_000]);
    await t.fireAll();
    restarter.healthy();
    restarter.onCrash(crash(false));
    expect([...t.scheduled.values()].map((s) => s.ms)).toEqual([500]);
  });

  it('tries again, with a longer pause, when the restart itself fails', async () => {
    const t = fakeTimers();
    const c = fakeConsumer([new Error('broker down')]);
    const restarter = createCrashRestarter({ consumer: c.consumer, logger: silentLogger, policy, timers: t.timers, random: () => 0 });
    restarter.onCrash(crash(false));
    await t.fireAll();
    expect([...t.scheduled.values()].map((s) => s.ms)).toEqual([1_000]);
    await t.fireAll();
    expect(c.calls).toEqual(['connect', 'run', 'connect', 'run']);
    expect(t.scheduled.size).toBe(0);
  });

  it('never restarts once stopped, and cancels a pending restart', async () => {
    const t = fakeTimers();
    const c = fakeConsumer();
    const restarter = createCrashRestarter({ consumer: c.consumer, logger: silentLogger, policy, timers: t.timers, random: () => 0 });
    restarter.onCrash(crash(false));
    await restarter.stop();
    expect(t.scheduled.size).toBe(0);
    restarter.onCrash(crash(false));
    expect(t.scheduled.size).toBe(0);
    expect(c.calls).toEqual([]);
  });
});
