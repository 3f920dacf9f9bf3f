import { silentLogger } from '../../platform/logger';
import { createFinishedFolds, MAX_FOLD_ATTEMPTS, type FoldResult } from './finished-folds';

describe('finished folds: each finished mailing folded once, a failure tried again', () => {
  it('folds each mailing added once, with its message count, and forgets it after', async () => {
    const calls: [string, number][] = [];
    const folds = createFinishedFolds({
      fold: async (id, messages) => { calls.push([id, messages]); return { folded: true, partitionRows: 2 * messages, ms: 5 }; },
      logger: silentLogger,
    });
    folds.add([{ id: 'm1', messages: 100 }, { id: 'm2', messages: 7 }]);
    folds.add([{ id: 'm1', messages: 100 }]); // added again before its fold: still one
    await folds.run();
    await folds.run();
    expect(calls).toEqual([['m1', 100], ['m2', 7]]);
    expect(folds.pending()).toBe(0);
  });

  it('takes a skipped fold (not paying) as done', async () => {
    let calls = 0;
    const folds = createFinishedFolds({
      fold: async (): Promise<FoldResult> => { calls += 1; return { folded: false, partitionRows: 10, reason: 'small' }; },
      logger: silentLogger,
    });
    folds.add([{ id: 'm1', messages: 5 }]);
    await folds.run();
    await folds.run();
    expect([calls, folds.pending()]).toEqual([1, 0]);
  });

  it('tries a failed fold again at the next run, without holding up the others, and gives up after the last attempt', async () => {
    const calls: string[] = [];
    const folds = createFinishedFolds({
      fold: async (id) => {
        calls.push(id);
        if (id === 'broken') throw new Error('ClickHouse is down');
        return { folded: true, partitionRows: 1, ms: 1 };
      },
      logger: silentLogger,
    });
    folds.add([{ id: 'broken', messages: 1 }, { id: 'fine', messages: 1 }]);
    await folds.run();
    expect([calls, folds.pending()]).toEqual([['broken', 'fine'], 1]);
    for (let run = 2; run <= MAX_FOLD_ATTEMPTS + 2; run++) await folds.run();
    expect(calls.filter((id) => id === 'broken')).toHaveLength(MAX_FOLD_ATTEMPTS);
    expect(folds.pending()).toBe(0);
  });
});
