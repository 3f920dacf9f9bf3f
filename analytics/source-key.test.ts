import { currentSourceConditions } from './source-key';

const text = (selection: Parameters<typeof currentSourceConditions>[0]) => currentSourceConditions(selection).map((c) => c.text);

describe('currentSourceConditions', () => {
  it('finds one source by its 128-bit key alone, without its text', () => {
    expect(text({ sourceType: 'mailing', sourceIds: ["m'1"] })).toEqual([
      "typeHash = cityHash64('mailing')", "sourceHigh = cityHash64('mailing', 'm\\'1')", "sourceLow = sipHash64('mailing', 'm\\'1')",
    ]);
  });

  it('finds a list by the keys’ first half and keeps it exact by the ids', () => {
    expect(text({ sourceType: 'notification', sourceIds: ['n1', 'n2'] })).toEqual([
      "typeHash = cityHash64('notification')",
      "sourceHigh IN (cityHash64('notification', 'n1'), cityHash64('notification', 'n2'))",
      "sourceId IN ('n1', 'n2')",
    ]);
  });

  it('reads a whole type by its hash, and leaves types out by theirs', () => {
    expect(text({ sourceType: 'mailing' })).toEqual(["typeHash = cityHash64('mailing')"]);
    expect(text({ excludedTypes: ['test', 'report'] })).toEqual(["typeHash NOT IN (cityHash64('test'), cityHash64('report'))"]);
    expect(text({})).toEqual([]);
  });

  it('matches nothing for an empty list, and ids without a type by their text', () => {
    expect(text({ sourceType: 'mailing', sourceIds: [] })).toEqual(["typeHash = cityHash64('mailing')", '0']);
    expect(text({ sourceIds: ['m1'] })).toEqual(["sourceId IN ('m1')"]);
  });
});
