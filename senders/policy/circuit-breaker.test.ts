import { SamplingBreaker } from 'cockatiel';
import { createCircuitBreaker } from './circuit-breaker';
import { SendResult, permanent, retriable, sent } from './send-result';

/**
 * cockatiel reads Date.now() for the open → half-open decision; jest's modern fake timers own that
 * clock, so the tests move time explicitly instead of sleeping.
 */
beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2024-06-01T00:00:00Z') });
});
afterEach(() => {
  jest.useRealTimers();
});

/** A provider that answers from a script and counts its calls. */
function fakeProvider(initial: SendResult) {
  let next = initial;
  const calls: string[] = [];
  return {
    calls,
    answer: (result: SendResult) => {
      next = result;
    },
    deliver: async (id: string): Promise<SendResult> => {
      calls.push(id);
      return next;
    },
  };
}

const down = retriable('PROVIDER_UNAVAILABLE', 'http 503');

describe('closed circuit', () => {
  it('passes results through and calls the provider every time', async () => {
    const provider = fakeProvider(sent('p-1'));
    const breaker = createCircuitBreaker({ name: 'sms', halfOpenAfterMs: 1000, consecutiveFailures: 2 });
    const deliver = breaker.guard(provider.deliver);
    await expect(deliver('a')).resolves.toEqual(sent('p-1'));
    provider.answer(down);
    await expect(deliver('b')).resolves.toEqual(down);
    expect(provider.calls).toEqual(['a', 'b']);
    expect(breaker.state()).toBe('closed');
  });

  it('does not count permanent results as provider failures', async () => {
    const provider = fakeProvider(permanent('PROVIDER_REJECTED', 'http 400'));
    const breaker = createCircuitBreaker({ name: 'sms', halfOpenAfterMs: 1000, consecutiveFailures: 2 });
    const deliver = breaker.guard(provider.deliver);
    for (const id of ['a', 'b', 'c']) await deliver(id);
    expect(breaker.state()).toBe('closed');
    expect(provider.calls).toHaveLength(3);
  });

  it('does not count an answer with Retry-After (a provider pacing us, not down) as a failure', async () => {
    const provider = fakeProvider(retriable('PROVIDER_UNAVAILABLE', 'http 503', 1000));
    const breaker = createCircuitBreaker({ name: 'sms', halfOpenAfterMs: 1000, consecutiveFailures: 2 });
    const deliver = breaker.guard(provider.deliver);
    for (const id of ['a', 'b', 'c', 'd']) await deliver(id);
    expect(breaker.state()).toBe('closed');
    expect(provider.calls).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a success resets the consecutive count', async () => {
    const provider = fakeProvider(down);
    const breaker = createCircuitBreaker({ name: 'sms', halfOpenAfterMs: 1000, consecutiveFailures: 2 });
    const deliver = breaker.guard(provider.deliver);
    await deliver('a');
    provider.answer(sent());
    await deliver('b');
    provider.answer(down);
    await deliver('c');
    expect(breaker.state()).toBe('closed');
  });
});

describe('open circuit', () => {
  it('opens after N consecutive failures and then answers CIRCUIT_OPEN without calling the provider', async () => {
    const provider = fakeProvider(down);
    const breaker = createCircuitBreaker({ name: 'sms', halfOpenAfterMs: 1000, consecutiveFailures: 3 });
    const states: string[] = [];
    breaker.onStateChange((s) => states.push(s));
    const deliver = breaker.guard(provider.deliver);
    for (const id of ['a', 'b', 'c']) await expect(deliver(id)).resolves.toEqual(down);
    expect(breaker.state()).toBe('open');
    await expect(deliver('d')).resolves.toEqual({ kind: 'retriable', code: 'CIRCUIT_OPEN', reason: 'sms circuit is open' });
    jest.advanceTimersByTime(999);
    await expect(deliver('e')).resolves.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(provider.calls).toEqual(['a', 'b', 'c']);
    expect(states).toEqual(['open']);
  });

  it('counts a thrown error as a failure and rethrows it', async () => {
    const breaker = createCircuitBreaker({ name: 'sms', halfOpenAfterMs: 1000, consecutiveFailures: 1 });
    const deliver = breaker.guard(async () => {
      throw new Error('bug in deliver');
    });
    await expect(deliver('a')).rejects.toThrow('bug in deliver');
    expect(breaker.state()).toBe('open');
  });

  it('accepts another cockatiel breaker (failure rate over a sampling window)', async () => {
    const provider = fakeProvider(down);
    const breaker = createCircuitBreaker({
      name: 'sms',
      halfOpenAfterMs: 1000,
      breaker: new SamplingBreaker({ threshold: 0.5, duration: 10_000, minimumRps: 1 }),
    });
    const deliver = breaker.guard(provider.deliver);
    for (let i = 0; i < 30 && breaker.state() === 'closed'; i++) {
      jest.advanceTimersByTime(100);
      await deliver(`m${i}`);
    }
    expect(breaker.state()).toBe('open');
  });
});

describe('half-open probe', () => {
  async function openedBreaker() {
    const provider = fakeProvider(down);
    const breaker = createCircuitBreaker({ name: 'sms', halfOpenAfterMs: 1000, consecutiveFailures: 2 });
    const deliver = breaker.guard(provider.deliver);
    await deliver('a');
    await deliver('b');
    expect(breaker.state()).toBe('open');
    return { provider, breaker, deliver };
  }

  it('after halfOpenAfterMs lets one call through; its success closes the circuit', async () => {
    const { provider, breaker, deliver } = await openedBreaker();
    const states: string[] = [];
    breaker.onStateChange((s) => states.push(s));
    jest.advanceTimersByTime(1000);
    provider.answer(sent('p-9'));
    await expect(deliver('probe')).resolves.toEqual(sent('p-9'));
    expect(states).toEqual(['half-open', 'closed']);
    await expect(deliver('next')).resolves.toEqual(sent('p-9'));
    expect(provider.calls).toEqual(['a', 'b', 'probe', 'next']);
  });

  it('a failed probe opens the circuit again for another period', async () => {
    const { provider, breaker, deliver } = await openedBreaker();
    jest.advanceTimersByTime(1000);
    await expect(deliver('probe')).resolves.toEqual(down);
    expect(breaker.state()).toBe('open');
    await expect(deliver('after')).resolves.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(provider.calls).toEqual(['a', 'b', 'probe']);
  });

  it('calls arriving during the probe wait for it instead of reaching the provider', async () => {
    const { provider, breaker, deliver } = await openedBreaker();
    jest.advanceTimersByTime(1000);
    let release: (r: SendResult) => void = () => undefined;
    const slowProbe = breaker.guard((id: string) => {
      provider.calls.push(id);
      return new Promise<SendResult>((resolve) => {
        release = resolve;
      });
    });
    const probe = slowProbe('probe');
    const waiting = deliver('waiting');
    await Promise.resolve();
    expect(provider.calls).toEqual(['a', 'b', 'probe']);
    release(down);
    await expect(probe).resolves.toEqual(down);
    await expect(waiting).resolves.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(provider.calls).toEqual(['a', 'b', 'probe']);
  });

  it('unsubscribed listeners hear nothing more', async () => {
    const { breaker } = await openedBreaker();
    const states: string[] = [];
    const unsubscribe = breaker.onStateChange((s) => states.push(s));
    unsubscribe();
    jest.advanceTimersByTime(1000);
    await breaker.guard(async () => sent())('x');
    expect(breaker.state()).toBe('closed');
    expect(states).toEqual([]);
  });
});
