import { VestnikError } from '../../platform/errors';
import { NO_PUSH_FAULTS, applyPushFaultsPatch, pickPushFault } from './faults';

const NOW = 1_700_000_000_000;

describe('applyPushFaultsPatch', () => {
  it('merges only the given fields', () => {
    expect(applyPushFaultsPatch({ ...NO_PUSH_FAULTS, latencyMs: 20 }, { errorRate: 0.5, errorStatus: 429 }, NOW).faults)
      .toEqual({ ...NO_PUSH_FAULTS, latencyMs: 20, errorRate: 0.5, errorStatus: 429 });
  });
  it('takes the push outage modes', () => {
    expect(applyPushFaultsPatch(NO_PUSH_FAULTS, { outage: { mode: 'drop', forMs: 500 } }, NOW).faults.outage).toEqual({ mode: 'drop', until: NOW + 500 });
  });
  it.each([
    ['a rate above 1', { errorRate: 1.5 }],
    ['a 404 as the error status', { errorStatus: 404 }],
    ['an unknown field', { garbageRate: 0.1 }],
    ['an outage with neither until nor forMs', { outage: { mode: 'drop' } }],
    ['an unknown outage mode', { outage: { mode: 'refuse', forMs: 5 } }],
    ['rates adding up past 1', { errorRate: 0.6, timeoutRate: 0.5 }],
  ])('rejects %s', (_name, patch) => {
    expect(() => applyPushFaultsPatch(NO_PUSH_FAULTS, patch, NOW)).toThrow(VestnikError);
  });
});

describe('pickPushFault', () => {
  const faults = { ...NO_PUSH_FAULTS, timeoutRate: 0.1, errorRate: 0.2 };
  it.each([[0, 'timeout'], [0.099, 'timeout'], [0.1, 'error'], [0.299, 'error'], [0.301, null], [0.999, null]])('draw %d → %s', (draw, expected) => {
    expect(pickPushFault(draw, faults)).toBe(expected);
  });
});
