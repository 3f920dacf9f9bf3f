import { backgroundTask } from './background-task';

describe('backgroundTask', () => {
  it('starts its work once, however often start() is called', async () => {
    let runs = 0;
    const task = backgroundTask(async () => void runs++);
    const first = task.start();
    expect(task.start()).toBe(first);
    await first;
    expect(runs).toBe(1);
  });

  it('does nothing until started, and settles at once then', async () => {
    let runs = 0;
    const task = backgroundTask(async () => void runs++);
    await task.settled();
    expect(runs).toBe(0);
  });

  it('holds a failure for the next start(), with no unhandled rejection in between', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const task = backgroundTask(async () => {
        throw new Error('Redis is down');
      });
      void task.start();
      await new Promise((resolve) => setTimeout(resolve, 10)); // long enough for Node to report an unhandled one
      await expect(task.settled()).resolves.toBeUndefined();
      await expect(task.start()).rejects.toThrow('Redis is down');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
