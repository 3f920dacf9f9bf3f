import { isMailingFinished } from './mailing-lifecycle';

describe('isMailingFinished', () => {
  const base = { now: 100, endAt: 200, fanoutDone: true, fanoutTotal: 10, finalCount: 3 };
  it.each([
    ['fan-out still running, even past the end', { fanoutDone: false, now: 500 }, false],
    ['some deliveries still in flight before the end', {}, false],
    ['every delivery final', { finalCount: 10 }, true],
    ['end time passed with deliveries in flight (they expire)', { now: 200 }, true],
    ['an empty audience', { fanoutTotal: 0, finalCount: 0 }, true],
  ])('%s', (_name, over, expected) => {
    expect(isMailingFinished({ ...base, ...over })).toBe(expected);
  });
});
