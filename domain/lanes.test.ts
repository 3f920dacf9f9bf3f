import { belongsToLane, FANOUT_LANES } from './lanes';

describe('belongsToLane', () => {
  it.each([
    ['express', 'express', true],
    ['express', 'bulk', false],
    ['bulk', 'bulk', true],
    ['bulk', 'express', false],
    [null, 'bulk', true],
    [null, 'express', false],
    [undefined, 'bulk', true],
    [undefined, 'express', false],
  ] as const)('a %s record in the %s lane: %s', (priority, lane, expected) => {
    expect(belongsToLane(priority, lane)).toBe(expected);
  });

  it('gives every priority to exactly one lane', () => {
    for (const priority of ['express', 'bulk', null] as const) {
      expect(FANOUT_LANES.filter((lane) => belongsToLane(priority, lane))).toHaveLength(1);
    }
  });
});
