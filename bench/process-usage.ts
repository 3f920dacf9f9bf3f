import { readFileSync } from 'node:fs';

/** What the kernel counts for one process: its peak resident set and the CPU it has used so far. */
export interface ProcessUsage {
  /** VmHWM: the highest RSS the process ever had (the kernel's own high-water mark, no sampling gaps). */
  peakRssBytes: number;
  /** User + system CPU since the process started. */
  cpuSeconds: number;
}

/** Clock ticks per second of /proc/<pid>/stat times: 100 on every Linux Node runs on (USER_HZ). */
const CLOCK_TICKS = 100;

/** Reads /proc for `pid`; null once the process is gone. Linux only, like the rest of the benchmark's set-up. */
export function readProcessUsage(pid: number): ProcessUsage | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwmKb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
    // The command name (field 2) may hold spaces and parentheses: the fields after it start at the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), so 12 and 13 counted from field 3.
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (!Number.isFinite(hwmKb) || !Number.isFinite(ticks)) return null;
    return { peakRssBytes: hwmKb * 1024, cpuSeconds: ticks / CLOCK_TICKS };
  } catch {
    return null;
  }
}
