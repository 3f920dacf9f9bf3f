import { VestnikError } from '../../platform/errors';
import { NO_USER_DATA_FAULTS, applyUserDataFaultsPatch, pickUserDataFault } from './faults';

const NOW = 1_700_000_000_000;

describe('applyUserDataFaultsPatch', () => {
  it('merges only the given fields', () => {
    expect(applyUserDataFaultsPatch({ ...NO_USER_DATA_FAULTS, latencyMs: 20 }, { malformedRate: 0.5, errorStatus: 500 }, NOW).faults)
      .toEqual({ ...NO_USER_DATA_FAULTS, latencyMs: 20, malformedRate: 0.5, errorStatus: 500 });
  });
  it.each([
    ['a rate above 1', { errorRate: 1.5 }],
    ['a 404 as the error status', { errorStatus: 404 }],
    ['an unknown field', { garbageRate: 0.1 }],
    ['an outage with neither until nor forMs', { outage: { mode: 'drop' } }],
    ['an unknown outage mode', { outage: { mode: 'refuse', forMs: 5 } }],
    ['rates adding up past 1', { errorRate: 0.5, timeoutRate: 0.3, malformedRate: 0.3 }],
  ])('rejects %s', (_name, patch) => {
    expect(() => applyUserDataFaultsPatch(NO_USER_DATA_FAULTS, patch, NOW)).toThrow(VestnikError);
  });
});

describe('pickUserDataFault', () => {
  const faults = { ...NO_USER_DATA_FAULTS, timeoutRate: 0.1, errorRate: 0.2, malformedRate: 0.1 };
  it.each([
    [0, 'timeout'], [0.099, 'timeout'], [0.1, 'error'], [0.299, 'error'], [0.301, 'malformed'], [0.399, 'malformed'], [0.4, null], [0.999, null],
  ])('draw %d → %s', (draw, expected) => {
    expect(pickUserDataFault(draw, faults)).toBe(expected);
  });
});
