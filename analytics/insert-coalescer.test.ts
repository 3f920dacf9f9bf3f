import type { DeliveryStatus } from '../schemas/types';
import { coalesceInserts } from './insert-coalescer';
import type { StatusStore } from './status-store';

const status = (id: string) => ({ statusId: id }) as DeliveryStatus;
const ids = (rows: readonly DeliveryStatus[]) => rows.map((row) => row.statusId);

function recordingStore() {
  const inserts: string[][] = [];
  let failWith: Error | null = null;
  const store: StatusStore = {
    async insertBatch(rows) {
      inserts.push(ids(rows));
      if (failWith) throw failWith;
    },
  };
  return { store, inserts, fail: (error: Error | null) => { failWith = error; } };
}

describe('coalesceInserts', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('writes the batches handed over within the linger as one insert, in the order they came', async () => {
    const { store, inserts } = recordingStore();
    const coalesced = coalesceInserts(store, { lingerMs: 100, maxRows: 1000 });
    const first = coalesced.insertBatch([status('a'), status('b')]);
    await jest.advanceTimersByTimeAsync(60);
    const second = coalesced.insertBatch([status('c')]);
    expect(inserts).toEqual([]);
    await jest.advanceTimersByTimeAsync(40);
    await Promise.all([first, second]);
    expect(inserts).toEqual([['a', 'b', 'c']]);
  });

  it('does not settle a batch before its insert is written', async () => {
    const { store } = recordingStore();
    let settled = false;
    void coalesceInserts(store, { lingerMs: 100, maxRows: 1000 }).insertBatch([status('a')]).then(() => { settled = true; });
    await jest.advanceTimersByTimeAsync(99);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
  });

  it('sends at once when the rows reach maxRows, and the next batch starts a new insert', async () => {
    const { store, inserts } = recordingStore();
    const coalesced = coalesceInserts(store, { lingerMs: 10_000, maxRows: 3 });
    const first = coalesced.insertBatch([status('a'), status('b')]);
    const second = coalesced.insertBatch([status('c'), status('d')]);
    await Promise.all([first, second]);
    expect(inserts).toEqual([['a', 'b', 'c', 'd']]);
    const third = coalesced.insertBatch([status('e')]);
    await jest.advanceTimersByTimeAsync(10_000);
    await third;
    expect(inserts).toEqual([['a', 'b', 'c', 'd'], ['e']]);
  });

  it('fails every batch of a failed insert, and the next insert is a fresh one', async () => {
    const { store, inserts, fail } = recordingStore();
    const coalesced = coalesceInserts(store, { lingerMs: 50, maxRows: 1000 });
    fail(new Error('clickhouse down'));
    const first = coalesced.insertBatch([status('a')]);
    const second = coalesced.insertBatch([status('b')]);
    const outcomes = Promise.allSettled([first, second]);
    await jest.advanceTimersByTimeAsync(50);
    expect((await outcomes).map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    fail(null);
    const retry = coalesced.insertBatch([status('a')]);
    await jest.advanceTimersByTimeAsync(50);
    await expect(retry).resolves.toBeUndefined();
    expect(inserts).toEqual([['a', 'b'], ['a']]);
  });

  it('sends nothing for an empty batch', async () => {
    const { store, inserts } = recordingStore();
    await coalesceInserts(store).insertBatch([]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(inserts).toEqual([]);
  });

  it('refuses a policy that could never send', () => {
    const { store } = recordingStore();
    expect(() => coalesceInserts(store, { lingerMs: -1, maxRows: 10 })).toThrow(RangeError);
    expect(() => coalesceInserts(store, { lingerMs: 10, maxRows: 0 })).toThrow(RangeError);
  });
});
