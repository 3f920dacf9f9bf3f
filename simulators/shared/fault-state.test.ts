import { z } from 'zod';
import { silentLogger } from '../../platform/logger';
import { createFaultState } from './fault-state';
import { COMMON_NO_FAULTS, CommonFaults, commonFaultsPatchFields, mergeFaultsPatch, outageSchema } from './faults';

const NOW = 1_700_000_000_000;

interface TestFaults extends CommonFaults {
  outage: { mode: 'drop'; until: number } | null;
}
const NO_TEST_FAULTS: TestFaults = { ...COMMON_NO_FAULTS, errorStatus: 503, outage: null };
const schema = z.strictObject({ ...commonFaultsPatchFields, errorStatus: z.number().int().optional(), outage: outageSchema(['drop'] as const) });
const applyPatch = (current: TestFaults, input: unknown, now: number) => mergeFaultsPatch(schema, current, input, now);
const stateWith = (initial?: unknown, seed?: number) => createFaultState({
  none: NO_TEST_FAULTS, applyPatch, initial, seed, now: () => NOW, log: silentLogger,
});

describe('createFaultState', () => {
  it('starts from the initial patch over the defaults, seed 1 unless given', () => {
    expect(stateWith({ latencyMs: 5 }).current()).toEqual({ ...NO_TEST_FAULTS, latencyMs: 5, seed: 1 });
    expect(stateWith({}, 7).current().seed).toBe(7);
    expect(stateWith({ seed: 3 }, 7).current().seed).toBe(3);
  });
  it('rejects a bad initial patch', () => {
    expect(() => stateWith({ errorRate: 2 })).toThrow(/invalid faults/);
  });
  it('applies patches and answers the faults with their seed', () => {
    const state = stateWith();
    expect(state.apply({ errorRate: 0.5 })).toEqual({ ...NO_TEST_FAULTS, errorRate: 0.5, seed: 1 });
    expect(state.faults()).toEqual({ ...NO_TEST_FAULTS, errorRate: 0.5 });
  });
  it('a seed restarts the draws, so the same seed replays the same sequence', () => {
    const state = stateWith({}, 42);
    const first = [state.random(), state.random(), state.random()];
    state.apply({ seed: 42 });
    expect([state.random(), state.random(), state.random()]).toEqual(first);
  });
  it('restore returns to the start faults and seed, without the outage', () => {
    const state = stateWith({ latencyMs: 5, outage: { mode: 'drop', forMs: 1000 } }, 9);
    const first = state.random();
    state.apply({ latencyMs: 50, seed: 2 });
    state.restore();
    expect(state.current()).toEqual({ ...NO_TEST_FAULTS, latencyMs: 5, outage: null, seed: 9 });
    expect(state.random()).toBe(first);
  });
  it('hands out copies, not its own state', () => {
    const state = stateWith();
    state.faults().latencyMs = 999;
    expect(state.faults().latencyMs).toBe(0);
  });
});
