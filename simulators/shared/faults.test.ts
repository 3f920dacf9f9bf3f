import { z } from 'zod';
import { VestnikError } from '../../platform/errors';
import {
  COMMON_NO_FAULTS, CommonFaults, commonFaultsPatchFields, latencyOf, mergeFaultsPatch, outageAt, outageSchema, pickStackedFault,
} from './faults';

const NOW = 1_700_000_000_000;

interface TestFaults extends CommonFaults {
  outage: { mode: 'down' | 'drop'; until: number } | null;
}
const NONE: TestFaults = { ...COMMON_NO_FAULTS, errorStatus: 500, outage: null };
const schema = z.strictObject({
  ...commonFaultsPatchFields,
  errorStatus: z.number().int().optional(),
  outage: outageSchema(['down', 'drop'] as const),
});
const merge = (current: TestFaults, input: unknown) => mergeFaultsPatch(schema, current, input, NOW);

describe('mergeFaultsPatch', () => {
  it('changes only the given fields', () => {
    expect(merge({ ...NONE, latencyMs: 20 }, { errorRate: 0.5, errorStatus: 503 }).faults)
      .toEqual({ ...NONE, latencyMs: 20, errorRate: 0.5, errorStatus: 503 });
  });
  it('resolves an outage length against now, or keeps an end time', () => {
    expect(merge(NONE, { outage: { mode: 'drop', forMs: 500 } }).faults.outage).toEqual({ mode: 'drop', until: NOW + 500 });
    expect(merge(NONE, { outage: { mode: 'down', until: NOW + 9 } }).faults.outage).toEqual({ mode: 'down', until: NOW + 9 });
  });
  it('ends an outage with null and leaves it alone when not named', () => {
    const down = { ...NONE, outage: { mode: 'down' as const, until: NOW + 1000 } };
    expect(merge(down, { outage: null }).faults.outage).toBeNull();
    expect(merge(down, { latencyMs: 1 }).faults.outage).toEqual(down.outage);
  });
  it('returns a new seed only when one is given, apart from the faults', () => {
    const reseeded = merge(NONE, { seed: 9 });
    expect(reseeded.seed).toBe(9);
    expect(reseeded.faults).toEqual(NONE);
    expect(merge(NONE, {})).not.toHaveProperty('seed');
  });
  it('does not touch the current faults', () => {
    const current = { ...NONE };
    merge(current, { latencyMs: 7, outage: { mode: 'drop', forMs: 5 } });
    expect(current).toEqual(NONE);
  });
  it.each([
    ['a rate above 1', { errorRate: 1.5 }],
    ['a negative latency', { latencyMs: -1 }],
    ['an unknown field', { lossRate: 0.1 }],
    ['an outage with both until and forMs', { outage: { mode: 'down', until: NOW, forMs: 5 } }],
    ['an outage with neither', { outage: { mode: 'down' } }],
    ['an unknown outage mode', { outage: { mode: 'refuse', forMs: 5 } }],
    ['not an object', 'errorRate=1'],
  ])('rejects %s as VALIDATION_FAILED', (_name, patch) => {
    expect(() => merge(NONE, patch)).toThrow(VestnikError);
    expect(() => merge(NONE, patch)).toThrow(/invalid faults/);
  });
});

describe('pickStackedFault', () => {
  const stack = [['a', 0.1], ['b', 0.2], ['c', 0]] as const;
  it.each([[0, 'a'], [0.099, 'a'], [0.1, 'b'], [0.299, 'b'], [0.301, null], [0.999, null]])('draw %d → %s', (draw, expected) => {
    expect(pickStackedFault(draw, stack)).toBe(expected);
  });
  it('never faults with no shares', () => {
    for (const draw of [0, 0.5, 0.9999]) expect(pickStackedFault(draw, [['a', 0], ['b', 0]])).toBeNull();
  });
});

describe('outageAt and latencyOf', () => {
  it('an outage holds until its end', () => {
    const outage = { mode: 'down', until: NOW + 100 };
    expect(outageAt(outage, NOW + 99)).toBe(outage);
    expect(outageAt(outage, NOW + 100)).toBeNull();
    expect(outageAt(null, NOW)).toBeNull();
  });
  it('latency is the fixed part plus the jitter share of the draw', () => {
    const faults = { latencyMs: 100, jitterMs: 50 };
    expect(latencyOf(0, faults)).toBe(100);
    expect(latencyOf(0.5, faults)).toBe(125);
    expect(latencyOf(0.9999, faults)).toBe(149);
  });
});
