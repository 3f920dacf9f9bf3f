import { VestnikError } from '../../platform/errors';
import { NO_FAULTS, activeOutage, applyFaultsPatch, latencyFor, pickFault } from './faults';

const NOW = 1_700_000_000_000;

describe('applyFaultsPatch', () => {
  it('merges only the given fields', () => {
    const { faults } = applyFaultsPatch({ ...NO_FAULTS, latencyMs: 20 }, { errorRate: 0.5 }, NOW);
    expect(faults).toEqual({ ...NO_FAULTS, latencyMs: 20, errorRate: 0.5 });
  });

  it('resolves an outage length against now, or keeps an end time', () => {
    expect(applyFaultsPatch(NO_FAULTS, { outage: { mode: 'refuse', forMs: 500 } }, NOW).faults.outage).toEqual({ mode: 'refuse', until: NOW + 500 });
    expect(applyFaultsPatch(NO_FAULTS, { outage: { mode: 'unavailable', until: NOW + 9 } }, NOW).faults.outage).toEqual({ mode: 'unavailable', until: NOW + 9 });
  });

  it('ends an outage with null', () => {
    const down = { ...NO_FAULTS, outage: { mode: 'refuse' as const, until: NOW + 1000 } };
    expect(applyFaultsPatch(down, { outage: null }, NOW).faults.outage).toBeNull();
    expect(applyFaultsPatch(down, { latencyMs: 1 }, NOW).faults.outage).toEqual(down.outage);
  });

  it('returns a new seed only when one is given', () => {
    expect(applyFaultsPatch(NO_FAULTS, { seed: 9 }, NOW).seed).toBe(9);
    expect(applyFaultsPatch(NO_FAULTS, {}, NOW)).not.toHaveProperty('seed');
  });

  it.each([
    ['a rate above 1', { errorRate: 1.5 }],
    ['a negative latency', { latencyMs: -1 }],
    ['a 4xx as the error status', { errorStatus: 404 }],
    ['an unknown field', { lossRate: 0.1 }],
    ['an outage with both until and forMs', { outage: { mode: 'refuse', until: NOW, forMs: 5 } }],
    ['an outage with neither', { outage: { mode: 'refuse' } }],
    ['an unknown outage mode', { outage: { mode: 'flaky', forMs: 5 } }],
    ['rates adding up past 1', { errorRate: 0.6, timeoutRate: 0.5 }],
    ['not an object', 'errorRate=1'],
  ])('rejects %s', (_name, patch) => {
    expect(() => applyFaultsPatch(NO_FAULTS, patch, NOW)).toThrow(VestnikError);
  });
});

describe('pickFault', () => {
  const faults = { ...NO_FAULTS, timeoutRate: 0.1, errorRate: 0.2, garbageRate: 0.1, bodyErrorRate: 0.1 };
  it.each([
    [0, 'timeout'],
    [0.099, 'timeout'],
    [0.1, 'error'],
    [0.299, 'error'],
    [0.301, 'garbage'],
    [0.401, 'body-error'],
    [0.5, null],
    [0.999, null],
  ])('draw %d → %s', (draw, expected) => expect(pickFault(draw, faults)).toBe(expected));

  it('never faults with no fault rates', () => {
    for (const draw of [0, 0.5, 0.9999]) expect(pickFault(draw, NO_FAULTS)).toBeNull();
  });
});

describe('activeOutage', () => {
  const outage = { mode: 'unavailable' as const, until: NOW + 100 };
  it('is the outage before its end and none from its end on', () => {
    expect(activeOutage({ ...NO_FAULTS, outage }, NOW + 99)).toEqual(outage);
    expect(activeOutage({ ...NO_FAULTS, outage }, NOW + 100)).toBeNull();
    expect(activeOutage(NO_FAULTS, NOW)).toBeNull();
  });
});

describe('latencyFor', () => {
  it('adds the jitter share of the draw to the fixed latency', () => {
    const faults = { ...NO_FAULTS, latencyMs: 100, jitterMs: 50 };
    expect(latencyFor(0, faults)).toBe(100);
    expect(latencyFor(0.5, faults)).toBe(125);
    expect(latencyFor(0.9999, faults)).toBe(149);
  });
});
