import { createCapacityGate } from './capacity';
import { NO_FAULTS, applyFaultsPatch } from './faults';

describe('the simulator\'s bounded capacity', () => {
  const capacity = { workers: 2, queue: 1, serviceMs: 10 };

  it('works on `workers` at once, queues `queue` more in arrival order, and refuses beyond', async () => {
    const gate = createCapacityGate();
    expect(await gate.enter(capacity)).toBe(true);
    expect(await gate.enter(capacity)).toBe(true);
    let queuedIn = false;
    const queued = gate.enter(capacity).then((admitted) => (queuedIn = admitted));
    expect(await gate.enter(capacity)).toBe(false); // the queue holds one
    expect(gate.load()).toEqual({ busy: 2, waiting: 1 });
    await Promise.resolve();
    expect(queuedIn).toBe(false);
    gate.leave();
    await queued;
    expect(queuedIn).toBe(true);
    expect(gate.load()).toEqual({ busy: 2, waiting: 0 });
  });

  it('counts worker time: the integral of busy workers over time, zeroed by a reset', async () => {
    let clock = 1_000;
    const gate = createCapacityGate(() => clock);
    await gate.enter(capacity);
    clock += 10;
    await gate.enter(capacity);
    clock += 5; // two busy for 5 ms
    gate.leave();
    clock += 20;
    expect(gate.busyWorkerMs()).toBe(10 + 2 * 5 + 20);
    gate.reset();
    clock += 7;
    gate.leave();
    clock += 100; // none busy
    expect(gate.busyWorkerMs()).toBe(7);
  });

  it('is set and cleared through the faults, and refuses a nonsense one', () => {
    const set = applyFaultsPatch(NO_FAULTS, { capacity }, 0).faults;
    expect(set.capacity).toEqual(capacity);
    expect(applyFaultsPatch(set, { capacity: null }, 0).faults.capacity).toBeNull();
    expect(() => applyFaultsPatch(NO_FAULTS, { capacity: { workers: 0, queue: 1, serviceMs: 1 } }, 0)).toThrow(/workers/);
  });
});
