import { createRequestTally } from './request-tally';

describe('createRequestTally', () => {
  it('counts requests, in flight and the most at once', () => {
    const tally = createRequestTally(['ok', 'failed'] as const);
    tally.requestStarted();
    tally.requestStarted();
    tally.requestEnded();
    tally.requestStarted();
    expect(tally.snapshot()).toEqual({ requests: 3, inFlight: 2, maxInFlight: 2, outcomes: { ok: 0, failed: 0 } });
  });
  it('counts outcomes, every one listed from zero', () => {
    const tally = createRequestTally(['ok', 'failed'] as const);
    tally.record('ok');
    tally.record('ok');
    expect(tally.count('ok')).toBe(2);
    expect(tally.snapshot().outcomes).toEqual({ ok: 2, failed: 0 });
  });
  it('reset zeroes the counts but keeps requests still in flight as the new high-water mark', () => {
    const tally = createRequestTally(['ok'] as const);
    tally.requestStarted();
    tally.requestStarted();
    tally.requestEnded();
    tally.record('ok');
    tally.reset();
    expect(tally.snapshot()).toEqual({ requests: 0, inFlight: 1, maxInFlight: 1, outcomes: { ok: 0 } });
  });
  it('hands out a copy of the outcomes', () => {
    const tally = createRequestTally(['ok'] as const);
    tally.snapshot().outcomes.ok = 5;
    expect(tally.count('ok')).toBe(0);
  });
});
