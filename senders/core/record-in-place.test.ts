import { VestnikError } from '../../platform/errors';
import { recordInPlace, type RecordRetryPolicy } from './record-in-place';

const POLICY: RecordRetryPolicy = { maxMs: 10_000, firstWaitMs: 200, maxWaitMs: 1_000 };
const unavailable = () => new VestnikError('DEPENDENCY_UNAVAILABLE', 'kafka produce failed', { retriable: true });

/** A virtual clock moved only by the waits, and a record that fails its first `failures` tries. */
function world(failures: number, error: () => Error = unavailable) {
  let now = 0;
  const log: string[] = [];
  const record = async () => {
    log.push(`try@${now}`);
    if (log.filter((l) => l.startsWith('try')).length <= failures) throw error();
  };
  const options = {
    policy: POLICY,
    clock: { now: () => now },
    renewLeases: async () => void log.push(`renew@${now}`),
    onRetry: (_: unknown, failedTries: number) => void log.push(`retry#${failedTries}`),
    wait: async (ms: number) => void (now += ms),
  };
  return { record, options, log };
}

describe('recording a chunk in place', () => {
  it('retries a retriable failure with doubling waits, renewing the leases before each, until it records', async () => {
    const w = world(4);
    await recordInPlace(w.record, w.options);
    expect(w.log).toEqual([
      'try@0', 'retry#1', 'renew@0',
      'try@200', 'retry#2', 'renew@200',
      'try@600', 'retry#3', 'renew@600',
      'try@1400', 'retry#4', 'renew@1400',
      'try@2400', // the wait stopped doubling at maxWaitMs
    ]);
  });

  it('records at once, without renewing anything, when the first try works', async () => {
    const w = world(0);
    await recordInPlace(w.record, w.options);
    expect(w.log).toEqual(['try@0']);
  });

  it('throws an error no retry will change at once', async () => {
    const w = world(1, () => new VestnikError('INTERNAL', 'message too large'));
    await expect(recordInPlace(w.record, w.options)).rejects.toThrow('message too large');
    expect(w.log).toEqual(['try@0']);
  });

  it('gives the batch up to a replay once retrying would outlast maxMs', async () => {
    const w = world(Number.POSITIVE_INFINITY);
    await expect(recordInPlace(w.record, w.options)).rejects.toThrow('kafka produce failed');
    const tries = w.log.filter((l) => l.startsWith('try@'));
    // 200 + 400 + 800 + 1,000 × 8 = 9,400 ms of waits fit in 10 s; the next would not.
    expect(tries).toHaveLength(12);
    expect(tries.at(-1)).toBe('try@9400');
  });

  it('goes on retrying when renewing the leases fails', async () => {
    const w = world(2);
    await recordInPlace(w.record, { ...w.options, renewLeases: () => Promise.reject(new Error('redis down')) });
    expect(w.log.filter((l) => l.startsWith('try@'))).toEqual(['try@0', 'try@200', 'try@600']);
  });
});
