import { deadlineSignal, deadlineSignals } from './deadline';

describe('deadlines without a timer per call', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('aborts each call at its own deadline (up to 10 ms late), with a TimeoutError, oldest first', () => {
    const first = deadlineSignal(1_000);
    jest.advanceTimersByTime(400);
    const second = deadlineSignal(1_000);
    jest.advanceTimersByTime(599);
    expect([first.aborted, second.aborted]).toEqual([false, false]);
    jest.advanceTimersByTime(11);
    expect([first.aborted, second.aborted]).toEqual([true, false]);
    expect((first.reason as DOMException).name).toBe('TimeoutError');
    jest.advanceTimersByTime(400);
    expect(second.aborted).toBe(true);
  });

  it('keeps one timer per timeout length, however many calls wait', () => {
    const signals = Array.from({ length: 5_000 }, () => deadlineSignal(2_000));
    const other = deadlineSignal(500);
    expect(jest.getTimerCount()).toBe(2);
    jest.advanceTimersByTime(520);
    expect(other.aborted).toBe(true);
    expect(signals.some((signal) => signal.aborted)).toBe(false);
    jest.advanceTimersByTime(1_500);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('aborts calls set while others come due, across many sweeps, each once', () => {
    const seen: number[] = [];
    const signals: AbortSignal[] = [];
    for (let i = 0; i < 3_000; i++) {
      const signal = deadlineSignal(100);
      signal.addEventListener('abort', () => seen.push(i));
      signals.push(signal);
      jest.advanceTimersByTime(1);
    }
    jest.advanceTimersByTime(200);
    expect(seen).toEqual(signals.map((_, i) => i));
  });

  it('combines the deadline with the caller\'s signal: either aborts the call, only the time is the deadline', () => {
    const caller = new AbortController();
    const { deadline, signal } = deadlineSignals(1_000, caller.signal);
    caller.abort();
    expect([signal.aborted, deadline.aborted]).toEqual([true, false]);
    jest.advanceTimersByTime(1_010);
    expect(deadline.aborted).toBe(true);
  });
});
