import { exactFinalsOfNearlyDone, isMailingFinished, type MailingCounts } from './mailing-lifecycle';

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

describe('exactFinalsOfNearlyDone', () => {
  /** A port with final rows (duplicates included) and exact final messages per mailing; records what was asked. */
  function counts(rows: Record<string, number>, exact: Record<string, number>) {
    const asked: { rows: string[][]; exact: string[][] } = { rows: [], exact: [] };
    const port: MailingCounts = {
      finalRowsBySource: async (_type, ids) => {
        asked.rows.push(ids);
        return new Map(ids.map((id) => [id, rows[id] ?? 0]));
      },
      finalDeliveriesBySource: async (_type, ids) => {
        asked.exact.push(ids);
        return new Map(ids.map((id) => [id, exact[id] ?? 0]));
      },
    };
    return { port, asked };
  }

  it('counts exactly only the mailings whose final rows reach their total', async () => {
    // far: 40 of 100 rows final; replayed: 100 rows but only 90 messages (10 rows twice); done: all 50 final.
    const { port, asked } = counts({ far: 40, replayed: 100, done: 50 }, { far: 40, replayed: 90, done: 50 });
    const finals = await exactFinalsOfNearlyDone(port, [{ id: 'far', total: 100 }, { id: 'replayed', total: 100 }, { id: 'done', total: 50 }]);
    expect(asked).toEqual({ rows: [['far', 'replayed', 'done']], exact: [['replayed', 'done']] });
    expect(finals).toEqual(new Map([['replayed', 90], ['done', 50]]));
    // What the lifecycle makes of it: the replayed mailing is not finished, the done one is.
    const finished = (id: string, total: number) => isMailingFinished({ now: 0, endAt: 1, fanoutDone: true, fanoutTotal: total, finalCount: finals.get(id) ?? 0 });
    expect([finished('far', 100), finished('replayed', 100), finished('done', 50)]).toEqual([false, false, true]);
  });

  it('asks nothing for no mailings, and no exact count when none is near its total', async () => {
    const none = counts({}, {});
    expect(await exactFinalsOfNearlyDone(none.port, [])).toEqual(new Map());
    expect(none.asked).toEqual({ rows: [], exact: [] });
    const early = counts({ a: 3 }, { a: 3 });
    expect(await exactFinalsOfNearlyDone(early.port, [{ id: 'a', total: 10 }])).toEqual(new Map());
    expect(early.asked.exact).toEqual([]);
  });

  it('counts an empty audience (total 0) exactly, so it can finish', async () => {
    const { port, asked } = counts({}, {});
    expect(await exactFinalsOfNearlyDone(port, [{ id: 'empty', total: 0 }])).toEqual(new Map([['empty', 0]]));
    expect(asked.exact).toEqual([['empty']]);
  });
});
