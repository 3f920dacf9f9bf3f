import { readProcessUsage } from './process-usage';

describe('readProcessUsage', () => {
  it('reads this process: a peak RSS at least its current RSS, and CPU that grows with work', () => {
    const before = readProcessUsage(process.pid);
    expect(before).not.toBeNull();
    expect(before!.peakRssBytes).toBeGreaterThanOrEqual(process.memoryUsage().rss * 0.9);
    const until = Date.now() + 100;
    let spin = 0;
    while (Date.now() < until) spin += Math.sqrt(spin + 1);
    const after = readProcessUsage(process.pid)!;
    expect(after.cpuSeconds).toBeGreaterThan(before!.cpuSeconds);
    expect(spin).toBeGreaterThan(0);
  });

  it('answers null for a process that does not exist', () => {
    expect(readProcessUsage(2 ** 22 + 12345)).toBeNull();
  });
});
