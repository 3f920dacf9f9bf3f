import { settleInChunks } from './settle-chunks';

/** A chunk settle whose end each test decides: resolve or reject the chunk starting with a given item. */
function controlledSettle() {
  const started: number[][] = [];
  const ends = new Map<number, { resolve(): void; reject(error: Error): void }>();
  let running = 0;
  let mostRunning = 0;
  const settle = (chunk: number[]) => {
    started.push(chunk);
    running += 1;
    mostRunning = Math.max(mostRunning, running);
    return new Promise<void>((resolve, reject) => {
      ends.set(chunk[0]!, { resolve: () => { running -= 1; resolve(); }, reject: (e) => { running -= 1; reject(e); } });
    });
  };
  return { settle, started, ends, running: () => running, mostRunning: () => mostRunning };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('settling a batch in chunks', () => {
  it('keeps two chunks in flight, in order, and returns only when every chunk is settled', async () => {
    const c = controlledSettle();
    let beats = 0;
    let done = false;
    const run = settleInChunks([1, 2, 3, 4, 5, 6, 7], 2, c.settle, async () => void (beats += 1)).then(() => { done = true; });
    await flush();
    expect(c.started).toEqual([[1, 2], [3, 4]]);
    c.ends.get(3)!.resolve(); // the second ends first: the window waits for the oldest
    await flush();
    expect(c.started).toHaveLength(2);
    c.ends.get(1)!.resolve();
    await flush();
    // [5, 6] starts; [3, 4] had already ended, so [7] starts beside it at once.
    expect(c.started).toEqual([[1, 2], [3, 4], [5, 6], [7]]);
    expect(c.running()).toBe(2);
    c.ends.get(7)!.resolve();
    await flush();
    expect(done).toBe(false); // [5, 6] is still running
    c.ends.get(5)!.resolve();
    await run;
    expect(c.mostRunning()).toBe(2);
    expect(beats).toBeGreaterThanOrEqual(3);
  });

  it('on a failed chunk, waits for the one still running, starts no more, and throws the failure', async () => {
    const c = controlledSettle();
    let settled = false;
    const run = settleInChunks([1, 2, 3, 4, 5, 6], 2, c.settle, async () => undefined);
    run.catch(() => undefined).finally(() => { settled = true; });
    await flush();
    c.ends.get(1)!.reject(new Error('redis down'));
    await flush();
    expect(settled).toBe(false); // chunk [3, 4] is still running
    expect(c.running()).toBe(1);
    c.ends.get(3)!.resolve();
    await expect(run).rejects.toThrow('redis down');
    expect(c.started).toEqual([[1, 2], [3, 4]]);
  });

  it('settles nothing for an empty batch, and one chunk for a small one', async () => {
    const c = controlledSettle();
    await settleInChunks([], 2, c.settle, async () => undefined);
    expect(c.started).toEqual([]);
    const run = settleInChunks([9], 2, c.settle, async () => undefined);
    await flush();
    c.ends.get(9)!.resolve();
    await run;
    expect(c.started).toEqual([[9]]);
  });
});
