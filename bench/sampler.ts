import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Process resource sampling for one phase: peak RSS (sampled every 500 ms, plus at the ends), the CPU
 * seconds spent between start and stop, and the event-loop delay. Everything runs in this one process, so
 * the figures cover every Vestnik role, the simulator and the benchmark driver together; the loop delay is
 * what any express message waits at each of its asynchronous hops while bulk work keeps the loop busy.
 */
export interface ResourceSample {
  peakRssBytes: number;
  cpuSeconds: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export interface ResourceSampler {
  stop(): ResourceSample;
}

export function startResourceSampler(intervalMs = 500): ResourceSampler {
  const cpuStart = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let peak = process.memoryUsage().rss;
  const sample = () => void (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      loop.disable();
      sample();
      const cpu = process.cpuUsage(cpuStart);
      const millis = (ns: number) => Math.round(ns / 1e6);
      return {
        peakRssBytes: peak, cpuSeconds: (cpu.user + cpu.system) / 1e6,
        eventLoopDelayMs: { p50: millis(loop.percentile(50)), p99: millis(loop.percentile(99)), max: millis(loop.max) },
      };
    },
  };
}
