import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * How late this process's event loop runs what is ready: the mean lateness of a timer due every
 * RESOLUTION_MS, over a span. A provider's answer that arrived while the loop was busy waits about as long
 * before its callback runs, so a round trip includes it; it is our own queue, not the provider's.
 *
 * One histogram per process (the sampler's timer is the only cost); each reader keeps its own mark, so
 * several limits read it without resetting it under one another.
 */
const RESOLUTION_MS = 10;

let histogram: IntervalHistogram | null = null;

function shared(): IntervalHistogram {
  if (!histogram) {
    histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    histogram.enable();
  }
  return histogram;
}

/** A reader: each call gives the mean lateness (ms) since its previous call, 0 while nothing was measured. */
export function loopLatenessReader(): () => number {
  const sampler = shared();
  // The histogram keeps a mean and a count, not a sum; the mean times the count is one, exact enough.
  const sumOf = (count: number) => (count > 0 ? sampler.mean * count : 0);
  let lastCount = sampler.count;
  let lastSum = sumOf(lastCount);
  return () => {
    const count = sampler.count;
    const sum = sumOf(count);
    const samples = count - lastCount;
    const meanIntervalMs = samples > 0 ? (sum - lastSum) / samples / 1e6 : 0;
    lastSum = sum;
    lastCount = count;
    // A sample is the whole interval between timer runs: the resolution itself is not lateness.
    return samples > 0 ? Math.max(0, meanIntervalMs - RESOLUTION_MS) : 0;
  };
}
