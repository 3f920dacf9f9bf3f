import { callDeadline, startDeadline } from './deadline';

describe('call deadlines without a timer per call', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('aborts each call at its own deadline (up to 10 ms late), with a TimeoutError, oldest first', () => {
    const first = callDeadline(1_000);
    jest.advanceTimersByTime(400);
    const second = callDeadline(1_000);
    jest.advanceTimersByTime(599);
    expect([first.signal.aborted, second.signal.aborted]).toEqual([false, false]);
    jest.advanceTimersByTime(11);
    expect([first.signal.aborted, second.signal.aborted]).toEqual([true, false]);
    expect((first.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(first.timedOut()).toBe(true);
    jest.advanceTimersByTime(400);
    expect(second.timedOut()).toBe(true);
  });

  it('gives every call it aborts a reason of its own (a request is judged written by its error\'s identity)', () => {
    const calls = [callDeadline(100), callDeadline(100)];
    jest.advanceTimersByTime(110);
    expect(calls.every((call) => call.signal.aborted)).toBe(true);
    expect(calls[0]!.signal.reason).not.toBe(calls[1]!.signal.reason);
  });

  it('never aborts a released call: one that ended in time', () => {
    const ended = callDeadline(100);
    const pending = callDeadline(100);
    ended.release();
    jest.advanceTimersByTime(110);
    expect([ended.signal.aborted, ended.timedOut()]).toEqual([false, false]);
    expect(pending.timedOut()).toBe(true);
  });

  it('keeps one timer per timeout length, however many calls wait', () => {
    const calls = Array.from({ length: 5_000 }, () => callDeadline(2_000));
    const other = callDeadline(500);
    expect(jest.getTimerCount()).toBe(2);
    jest.advanceTimersByTime(520);
    expect(other.signal.aborted).toBe(true);
    expect(calls.some((call) => call.signal.aborted)).toBe(false);
    jest.advanceTimersByTime(1_500);
    expect(calls.every((call) => call.timedOut())).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('aborts calls set while others come due, across many sweeps, each once', () => {
    const seen: number[] = [];
    const calls = [];
    for (let i = 0; i < 3_000; i++) {
      const call = callDeadline(100);
      call.signal.addEventListener('abort', () => seen.push(i));
      calls.push(call);
      jest.advanceTimersByTime(1);
    }
    jest.advanceTimersByTime(200);
    expect(seen).toEqual(calls.map((_, i) => i));
  });

  it('is cut short by the caller\'s signal, with a reason of its own that is not a timeout', () => {
    const caller = new AbortController();
    const call = callDeadline(1_000, caller.signal);
    caller.abort(new DOMException('shared', 'AbortError'));
    expect([call.signal.aborted, call.timedOut()]).toEqual([true, false]);
    expect(call.signal.reason).not.toBe(caller.signal.reason);
    expect((call.signal.reason as DOMException).name).toBe('AbortError');
    jest.advanceTimersByTime(1_010);
    expect(call.timedOut()).toBe(false);
  });

  it('stops listening to the caller once released', () => {
    const caller = new AbortController();
    const call = callDeadline(1_000, caller.signal);
    call.release();
    caller.abort();
    expect(call.signal.aborted).toBe(false);
  });

  it('starts aborted when the caller already cancelled', () => {
    const caller = new AbortController();
    caller.abort();
    expect(callDeadline(1_000, caller.signal).signal.aborted).toBe(true);
  });

  it('calls a signal-free deadline back once when due, and never once released; it shares the queue of its length', () => {
    const expired: string[] = [];
    const due = startDeadline(300, () => expired.push('due'));
    const released = startDeadline(300, () => expired.push('released'));
    const withSignal = callDeadline(300);
    released.release();
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(299);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(11);
    expect(expired).toEqual(['due']);
    expect([due.timedOut(), released.timedOut(), withSignal.timedOut()]).toEqual([true, false, true]);
    jest.advanceTimersByTime(1_000);
    expect(expired).toEqual(['due']);
  });
});
