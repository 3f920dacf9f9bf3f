/**
 * Process resource sampling for one phase: peak RSS (sampled every 500 ms, plus at the ends) and the CPU
 * seconds spent between start and stop. Everything runs in this one process, so the figures cover every
 * Vestnik role, the simulator and the benchmark driver together.
 */
export interface ResourceSample {
  peakRssBytes: number;
  cpuSeconds: number;
}

export interface ResourceSampler {
  stop(): ResourceSample;
}

export function startResourceSampler(intervalMs = 500): ResourceSampler {
  const cpuStart = process.cpuUsage();
  let peak = process.memoryUsage().rss;
  const sample = () => void (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      const cpu = process.cpuUsage(cpuStart);
      return { peakRssBytes: peak, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
    },
  };
}
